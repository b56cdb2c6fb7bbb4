import { ROW_SCALES } from '../../routing/index.js';

function writeVarint(bytes: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
}

/**
 * Dense weights (`dimension × classCount`, row-major) → the bytes a model file stores, which the
 * router reads back with `decodeWeights`: per non-empty row, the gap from the previous row, the
 * entry count, the row's scale (one byte, a power of 2^(1/8): `ROW_SCALES`), then (class gap, int8
 * value) pairs. Entries whose |weight| is below `threshold` are dropped.
 */
export function encodeWeights(
  dense: Float32Array,
  dimension: number,
  classCount: number,
  threshold: number,
): Uint8Array {
  const bytes: number[] = [];
  let previousRow = -1;
  for (let row = 0; row < dimension; row += 1) {
    const offset = row * classCount;
    let maxAbs = 0;
    let kept = 0;
    for (let k = 0; k < classCount; k += 1) {
      const abs = Math.abs(dense[offset + k] as number);
      if (abs >= threshold) {
        kept += 1;
        if (abs > maxAbs) maxAbs = abs;
      }
    }
    if (kept === 0) continue;
    // The row's scale is stored as one byte: a power of 2^(1/8) just above maxAbs / 127.
    const scaleCode = Math.min(255, Math.max(0, Math.ceil(Math.log2(maxAbs / 127) * 8) + 160));
    const scale = ROW_SCALES[scaleCode] as number;
    const quantized: [number, number][] = [];
    for (let k = 0; k < classCount; k += 1) {
      const value = dense[offset + k] as number;
      if (Math.abs(value) < threshold) continue;
      const q = Math.max(-127, Math.min(127, Math.round(value / scale)));
      if (q !== 0) quantized.push([k, q]);
    }
    if (quantized.length === 0) continue;
    writeVarint(bytes, row - previousRow - 1);
    previousRow = row;
    writeVarint(bytes, quantized.length);
    bytes.push(scaleCode);
    let previousClass = -1;
    for (const [k, q] of quantized) {
      writeVarint(bytes, k - previousClass - 1);
      previousClass = k;
      bytes.push(q & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}
