/**
 * Bytes per row of a dense matrix: the weights, then the scale code in the same row, so a feature
 * costs one read at a random place instead of two.
 */
export function denseRowStride(classCount: number): number {
  return classCount + 1;
}

/**
 * Adds the features times a dense int8 matrix to `scores`, one class per element of `scores`. The
 * matrix has one row per feature (`denseRowStride`): the class weights, then the row's scale code,
 * a byte read back as 0..255; a weight is worth its int8 value times `rowScales[code]`.
 */
export function addDenseScores(
  indices: Int32Array,
  values: Float32Array,
  length: number,
  matrix: Int8Array,
  rowScales: Float64Array,
  scores: Float64Array,
): void {
  const classCount = scores.length;
  const stride = denseRowStride(classCount);
  for (let index = 0; index < length; index += 1) {
    const offset = (indices[index] as number) * stride;
    const scaleCode = (matrix[offset + classCount] as number) & 255;
    const value = (values[index] as number) * (rowScales[scaleCode] as number);
    for (let k = 0; k < classCount; k += 1)
      scores[k] = (scores[k] as number) + (matrix[offset + k] as number) * value;
  }
}
