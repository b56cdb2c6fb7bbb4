import { addDenseScores, denseRowStride } from './dense-scorer.js';
import { createFeatureBuffer, type FeatureBuffer, FeatureHasher, type HasherFork } from './feature-hasher.js';
import type { FeatureSettings } from './feature-settings.js';
import { decodeWeights, entryClass, entryValue, type PackedWeights, ROW_SCALES } from './packed-weights.js';

export const MODEL_FORMAT = 'switchyard-text-classifier';
export const MODEL_VERSION = 1;
/**
 * Models with at most this many labels are scored through a dense matrix. With more, a feature's
 * dense row holds mostly zeros that scoring would still read, where its sparse row holds only the
 * weights training kept, and the matrix grows with every label.
 */
const DENSE_MAX_LABELS = 16;

/**
 * The packed rows as a dense int8 matrix (row-major, one row per feature; unused rows stay zero),
 * each row followed by its scale code as stored (`denseRowStride`). A quarter of the bytes of
 * float32 keeps more of the matrix in the CPU caches, and each feature's row is a read at a random
 * place.
 */
function densify(weights: PackedWeights, dimension: number, classCount: number): Int8Array {
  const stride = denseRowStride(classCount);
  const matrix = new Int8Array(dimension * stride);
  for (let row = 0; row < dimension; row += 1) {
    // The scale code (0..255) is stored as a byte; the scorer reads it back with `& 255`.
    matrix[row * stride + classCount] = weights.scaleCode[row] as number;
    for (
      let entry = weights.rowStart[row] as number;
      entry < (weights.rowStart[row + 1] as number);
      entry += 1
    ) {
      const packed = weights.entries[entry] as number;
      matrix[row * stride + entryClass(packed)] = entryValue(packed);
    }
  }
  return matrix;
}

/** A model file: versioned JSON that says what it predicts, how it was trained and how well it does. */
/**
 * `logistic`: softmax cross-entropy (calibrated probabilities; what outcome models need).
 * `hinge`: multiclass (Crammer-Singer) hinge, which separates many close intents better; its
 * scores still go through softmax at inference, and thresholds are chosen on held-out data.
 */
export type TrainingLoss = 'logistic' | 'hinge';

/** How a model was trained; recorded in its file. */
export interface TrainingHyperparameters {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  /** Absent: `logistic` (also in files written before the hinge loss existed). */
  loss?: TrainingLoss;
  /** The hinge loss's margin, in score units (default 4). */
  margin?: number;
  /**
   * Each feature keeps at most this many label weights (its largest) after `epochs`; then
   * `refitEpochs` more epochs (default 3) train the kept weights with the rest held at zero, so
   * the scores re-balance. Scoring reads every stored weight of a feature's row, so this bounds
   * the cost of a decision for models with many labels, where common n-grams otherwise carry a
   * weight for nearly every label. Absent: no cap.
   */
  maxWeightsPerRow?: number;
  refitEpochs?: number;
}

export interface TextClassifierFile {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  /** What the model is for: `task-type`, `strong-needed`, `intent`, ... */
  purpose: string;
  labels: string[];
  features: FeatureSettings;
  /** Columns of the training data used as categorical features (e.g. `subject`). */
  categoricalColumns: string[];
  training: {
    /** sha256 of the training examples (text, categories and label of each, in order). */
    dataSha256: string;
    examples: number;
    source: string;
    format: string;
  } & TrainingHyperparameters;
  /**
   * For models with an out-of-scope label: a prediction whose best in-scope probability is below
   * `minConfidence` is out of scope too (chosen on held-out data when training).
   */
  outOfScope?: { label: string; minConfidence: number };
  /** Measured by cross-validation on the training data (see the CLI's `router eval`). */
  metrics: Record<string, unknown>;
  bias: number[];
  weights: { encoding: 'rows-int8-varint'; entries: number; base64: string };
}

/** The prediction for one text: the best label, its probability, and every label's probability. */
export interface Prediction {
  label: string;
  index: number;
  probability: number;
}

/**
 * A trained linear classifier over hashed n-gram and structural features: a softmax over the
 * labels. Inference reuses one feature buffer and one score array, so a decision allocates only
 * the lower-cased copy of the text (and grows the buffer once for an unusually long text).
 */
export class TextClassifier {
  readonly labels: readonly string[];
  readonly file: Omit<TextClassifierFile, 'weights' | 'bias'>;
  private readonly hasher: FeatureHasher;
  /** The sparse rows, kept only for models scored sparsely (more than 16 labels). */
  private readonly weights: PackedWeights | undefined;
  /** Stored weights (after pruning). */
  readonly weightCount: number;
  /**
   * For models with few labels, the same weights as a dense matrix (each row's scale code in its
   * last byte): one contiguous read per feature instead of scattered ones. Memory reads are most
   * of a decision's time.
   */
  private readonly denseMatrix: Int8Array | undefined;
  private readonly bias: Float32Array;
  /** The out-of-scope label's index (-1: the model has none), found once rather than per decision. */
  private readonly outOfScopeIndex: number;
  private readonly scores: Float64Array;
  private buffer: FeatureBuffer;

  constructor(file: TextClassifierFile) {
    if (file.format !== MODEL_FORMAT || file.version !== MODEL_VERSION) {
      throw new Error(
        `not a ${MODEL_FORMAT} v${MODEL_VERSION} model (format ${file.format}, version ${file.version})`,
      );
    }
    const { weights: encoded, bias, ...rest } = file;
    this.file = rest;
    this.labels = file.labels;
    this.outOfScopeIndex = file.outOfScope ? file.labels.indexOf(file.outOfScope.label) : -1;
    this.hasher = new FeatureHasher(file.features);
    const packed = decodeWeights(Buffer.from(encoded.base64, 'base64'), this.hasher.dimension);
    this.weightCount = packed.entries.length;
    this.bias = Float32Array.from(bias);
    // One form per model: a dense matrix for few labels, the sparse rows otherwise.
    this.denseMatrix =
      file.labels.length <= DENSE_MAX_LABELS
        ? densify(packed, this.hasher.dimension, file.labels.length)
        : undefined;
    this.weights = this.denseMatrix ? undefined : packed;
    this.scores = new Float64Array(file.labels.length);
    this.buffer = createFeatureBuffer(this.hasher.capacityFor(2_000, 4));
  }

  /**
   * Fills `probabilities` (one per label) for `text`; returns the index of the most likely label.
   * `categories` are the categorical column values, in the order of `categoricalColumns`.
   */
  predictInto(text: string, probabilities: Float64Array, categories?: readonly string[]): number {
    this.extractInto(text, categories);
    return this.predictFromFeatures(this.buffer, probabilities);
  }

  /**
   * The model's own feature buffer, filled with `text`'s features (for sharing with other models).
   * With `fork` (from another model's `createForkFrom(this)`), that model's features of the text
   * are written in the same pass when `fork.done` says so.
   */
  extractInto(text: string, categories?: readonly string[], fork?: HasherFork): FeatureBuffer {
    const needed = this.hasher.capacityFor(text.length, categories?.length ?? 0);
    if (needed > this.buffer.indices.length) this.buffer = createFeatureBuffer(needed);
    this.hasher.extract(text, this.buffer, categories, fork);
    return this.buffer;
  }

  /**
   * For a model that reads only a text's opening (`maxChars`) with otherwise the same feature
   * settings as `source`: a fork that lets `source`'s hashing of a longer text write this model's
   * features too, so the opening is not hashed twice. Undefined when the settings do not allow it.
   */
  createForkFrom(source: TextClassifier): HasherFork | undefined {
    if (!source.hasher.canForkTo(this.hasher)) return undefined;
    const at = this.file.features.maxChars as number;
    return { at, hasher: this.hasher, out: createFeatureBuffer(this.hasher.capacityFor(at)), done: false };
  }

  /**
   * Scores features already extracted with the same feature settings (models that share settings
   * hash a text once). Fills `probabilities`; returns the index of the most likely label.
   */
  predictFromFeatures(features: FeatureBuffer, probabilities: Float64Array): number {
    const scores = this.scores;
    for (let k = 0; k < scores.length; k += 1) scores[k] = this.bias[k] as number;
    const { indices, values: featureValues, length } = features;
    if (this.denseMatrix) {
      addDenseScores(indices, featureValues, length, this.denseMatrix, ROW_SCALES, scores);
      return this.finishScores(probabilities);
    }
    const { rowStart, entries, scaleCode } = this.weights as PackedWeights;
    for (let index = 0; index < length; index += 1) {
      const row = indices[index] as number;
      const value = (featureValues[index] as number) * (ROW_SCALES[scaleCode[row] as number] as number);
      const end = rowStart[row + 1] as number;
      for (let entry = rowStart[row] as number; entry < end; entry += 1) {
        // entryClass and entryValue, written out: this loop is most of a many-label decision.
        const packed = entries[entry] as number;
        const k = packed >>> 16;
        scores[k] = (scores[k] as number) + ((packed << 16) >> 16) * value;
      }
    }
    return this.finishScores(probabilities);
  }

  /** Softmax of the scores into `probabilities`; returns the best index. */
  private finishScores(probabilities: Float64Array): number {
    const scores = this.scores;
    let best = 0;
    for (let k = 1; k < scores.length; k += 1) if ((scores[k] as number) > (scores[best] as number)) best = k;
    const max = scores[best] as number;
    let sum = 0;
    for (let k = 0; k < scores.length; k += 1) {
      const exp = Math.exp((scores[k] as number) - max);
      probabilities[k] = exp;
      sum += exp;
    }
    for (let k = 0; k < scores.length; k += 1) probabilities[k] = (probabilities[k] as number) / sum;
    return best;
  }

  /**
   * The label to report: the most likely one, except that an unsure in-scope guess becomes the
   * out-of-scope label when the model has one.
   */
  decide(best: number, probabilities: ArrayLike<number>): number {
    const index = this.outOfScopeIndex;
    if (index === -1 || best === index) return best;
    return (probabilities[best] as number) < (this.file.outOfScope?.minConfidence ?? 0) ? index : best;
  }

  /** Convenience form of `predictInto` (allocates the result). */
  predict(text: string, categories?: readonly string[]): Prediction & { probabilities: Float64Array } {
    const probabilities = new Float64Array(this.labels.length);
    const index = this.decide(this.predictInto(text, probabilities, categories), probabilities);
    return {
      label: this.labels[index] as string,
      index,
      probability: probabilities[index] as number,
      probabilities,
    };
  }
}
