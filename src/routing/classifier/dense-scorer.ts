/**
 * Adds the features times a dense int8 matrix to `scores`. The matrix has one row per feature of
 * `classCount` weights followed by the row's scale code (a byte: the weights are scaled by
 * `rowScales[code]`); `denseRowStride` gives the row length.
 */
export type DenseScorer = (
  indices: Int32Array,
  values: Float32Array,
  length: number,
  matrix: Int8Array,
  rowScales: Float64Array,
  scores: Float64Array,
) => void;

/**
 * Bytes per row of a dense matrix: the weights, then the scale code in the same row, so a feature
 * costs one read at a random place instead of two (a quarter off the dense scoring of a
 * 2,000-character prompt, whose rows are mostly out of cache).
 */
export function denseRowStride(classCount: number): number {
  return classCount + 1;
}

/**
 * Above this many classes the accumulators no longer fit in registers; such models score through
 * their sparse rows instead (`TextClassifier`).
 */
export const UNROLLED_MAX_CLASSES = 16;

const scorers = new Map<number, DenseScorer>();

/**
 * A scorer specialised for `classCount` classes: one local accumulator per class, summed across
 * all features and written back once. The general loop reads and writes `scores[k]` for every
 * weight, and V8 cannot keep a typed array's elements in registers; with the classes unrolled
 * into locals the task-type model's scoring of a 2,000-character prompt took 12 µs instead of 26
 * with its rows in cache, 19 instead of 28 without (docs/router.md). The source is generated from the class count alone (a
 * number checked here), never from a model file's text, so no input reaches `Function`.
 */
export function compileDenseScorer(classCount: number): DenseScorer {
  if (!Number.isInteger(classCount) || classCount < 1 || classCount > UNROLLED_MAX_CLASSES) {
    throw new Error(`dense scorers are unrolled for 1-${UNROLLED_MAX_CLASSES} classes, not ${classCount}`);
  }
  const cached = scorers.get(classCount);
  if (cached) return cached;
  const classes = Array.from({ length: classCount }, (_, k) => k);
  const source = [
    `let ${classes.map((k) => `s${k} = scores[${k}]`).join(', ')};`,
    'for (let i = 0; i < length; i += 1) {',
    '  const row = indices[i];',
    `  const offset = row * ${denseRowStride(classCount)};`,
    `  const value = values[i] * rowScales[matrix[offset + ${classCount}] & 255];`,
    ...classes.map((k) => `  s${k} += matrix[offset + ${k}] * value;`),
    '}',
    ...classes.map((k) => `scores[${k}] = s${k};`),
  ].join('\n');
  const scorer = new Function(
    'indices',
    'values',
    'length',
    'matrix',
    'rowScales',
    'scores',
    source,
  ) as DenseScorer;
  scorers.set(classCount, scorer);
  return scorer;
}
