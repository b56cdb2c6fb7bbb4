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
   * the low 16 (`entryClass`, `entryValue`): scoring reads every stored weight of a feature's row,
   * and this way each costs one array read, not two.
   */
  entries: Int32Array;
  /** Per feature row, the code of its scale: a weight is `entryValue(e) * ROW_SCALES[code]`. */
  scaleCode: Uint8Array;
}

/** The scale of each one-byte code: powers of 2^(1/8) around 1 (code 160). */
export const ROW_SCALES = Float64Array.from({ length: 256 }, (_, code) => 2 ** ((code - 160) / 8));

export function entryClass(entry: number): number {
  return entry >>> 16;
}

export function entryValue(entry: number): number {
  return (entry << 16) >> 16;
}

/**
 * A model file's weight bytes → the CSR arrays inference reads. The bytes hold, per non-empty
 * feature row in order: the gap from the previous such row and the row's entry count (varints), its
 * scale code (one byte: `ROW_SCALES`), then per entry the gap from the previous class (a varint)
 * and the int8 value. Training writes them (`encodeWeights` in analysis/).
 */
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
