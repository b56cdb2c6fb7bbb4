/**
 * Weights of a linear classifier stored by feature row, sparse: for each row that has any weight,
 * the classes it scores and an int8 value per class, scaled per row. Only rows seen in training
 * have weights, and training prunes the smallest ones, so files stay small and inference touches
 * only what matters.
 */
export interface PackedWeights {
  /** rowStart[r]..rowStart[r+1] index the entries of feature row r. */
  rowStart: Uint32Array;
  /**
   * One int32 per stored weight: its class in the high 16 bits and its int8 value, as stored, in
   * the low 16 (`entryClass`, `entryValue`). One array read per weight instead of two made the
   * scoring loop about a quarter faster.
   */
  entries: Int32Array;
  /** Per feature row, the code of its scale: a weight is `entryValue(e) * ROW_SCALES[code]`. */
  scaleCode: Uint8Array;
}

function decodeScale(code: number): number {
  return 2 ** ((code - 160) / 8);
}

/** The scale of each one-byte code. */
export const ROW_SCALES = Float64Array.from({ length: 256 }, (_, code) => decodeScale(code));

export function entryClass(entry: number): number {
  return entry >>> 16;
}

export function entryValue(entry: number): number {
  return (entry << 16) >> 16;
}

function writeVarint(bytes: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
}

/**
 * Dense weights (`dimension × classCount`, row-major) → bytes: per non-empty row, the gap from the
 * previous row, the entry count, the row's scale (one byte, a power of 2^(1/8)), then (class gap,
 * int8 value) pairs.
 * Entries whose |weight| is below `threshold` are dropped.
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
    const scale = decodeScale(scaleCode);
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

/** Bytes from `encodeWeights` → the CSR arrays inference reads. */
export function decodeWeights(bytes: Uint8Array, dimension: number): PackedWeights {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  const readVarint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[position++] as number;
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
      shift += 7;
    }
  };
  // First pass: count entries per row.
  const rowStart = new Uint32Array(dimension + 1);
  const rows: { row: number; start: number }[] = [];
  let row = -1;
  let total = 0;
  while (position < bytes.length) {
    row += readVarint() + 1;
    const count = readVarint();
    rows.push({ row, start: position });
    position += 1;
    for (let index = 0; index < count; index += 1) {
      readVarint();
      position += 1;
    }
    rowStart[row + 1] = count;
    total += count;
  }
  for (let index = 0; index < dimension; index += 1)
    rowStart[index + 1] = (rowStart[index + 1] as number) + (rowStart[index] as number);
  const entries = new Int32Array(total);
  const scaleCode = new Uint8Array(dimension);
  for (const entry of rows) {
    position = entry.start;
    scaleCode[entry.row] = bytes[position] as number;
    position += 1;
    let cursor = rowStart[entry.row] as number;
    const end = rowStart[entry.row + 1] as number;
    let previousClass = -1;
    while (cursor < end) {
      previousClass += readVarint() + 1;
      entries[cursor] = (previousClass << 16) | (view.getInt8(position) & 0xffff);
      position += 1;
      cursor += 1;
    }
  }
  return { rowStart, entries, scaleCode };
}
