import {
  createFeatureBuffer,
  FeatureHasher,
  type FeatureSettings,
  MODEL_FORMAT,
  MODEL_VERSION,
  TextClassifier,
  type TextClassifierFile,
  type TrainingHyperparameters,
} from '../../routing/index.js';
import { createRandom } from './create-random.js';
import { encodeWeights } from './encode-weights.js';
import { findPruneThreshold } from './find-prune-threshold.js';
import { freezeAllButLargest } from './freeze-all-but-largest.js';
import { hashExamples } from './hash-examples.js';
import type { TrainingExample } from './training-example.js';

export interface TrainingOptions extends TrainingHyperparameters {
  purpose: string;
  /** Label order in the model; default: sorted labels of the examples. */
  labels?: string[];
  features: FeatureSettings;
  categoricalColumns?: string[];
  /**
   * Weight each hashed feature by its inverse document frequency while training (rare n-grams say
   * more than common ones). The weights absorb the factor, so inference is unchanged.
   */
  idf?: boolean;
  /** Largest number of stored weights (the smallest are pruned to fit); keeps files small. */
  maxWeights: number;
  /** Largest size of the encoded weights in the model file (base64); more pruning until it fits. */
  maxWeightBytes?: number;
  source?: string;
  format?: string;
  /** Called after each epoch with the share of training done. */
  onProgress?: (fraction: number) => void;
}

/**
 * Epochs after capping the weights per row. On CLINC150 (trained on train + oos_train, measured on
 * val + oos_val) 3 recover the accuracy the cap costs; 8 gain nothing more.
 */
const DEFAULT_REFIT_EPOCHS = 3;

/** Smoothed inverse document frequency per hashed bucket (1 for the structural features). */
function computeIdf(
  indices: Int32Array,
  offsets: Uint32Array,
  bucketCount: number,
  dimension: number,
): Float32Array {
  const documentFrequency = new Uint32Array(bucketCount);
  const lastSeen = new Int32Array(bucketCount).fill(-1);
  const documents = offsets.length - 1;
  for (let document = 0; document < documents; document += 1) {
    for (
      let position = offsets[document] as number;
      position < (offsets[document + 1] as number);
      position += 1
    ) {
      const bucket = indices[position] as number;
      if (bucket >= bucketCount || lastSeen[bucket] === document) continue;
      lastSeen[bucket] = document;
      documentFrequency[bucket] = (documentFrequency[bucket] as number) + 1;
    }
  }
  const idf = new Float32Array(dimension).fill(1);
  for (let bucket = 0; bucket < bucketCount; bucket += 1) {
    idf[bucket] = Math.log((documents + 1) / ((documentFrequency[bucket] as number) + 1)) + 1;
  }
  return idf;
}

/**
 * Multinomial logistic regression by AdaGrad over the hashed features, deterministic for a seed:
 * examples are hashed once, visited in a seeded shuffled order each epoch, and the trained weights
 * are pruned to `maxWeights` and quantised exactly as the model file stores them.
 */
export function trainTextClassifier(
  examples: readonly TrainingExample[],
  options: TrainingOptions,
): { file: TextClassifierFile; classifier: TextClassifier } {
  const labels = options.labels ?? [...new Set(examples.map((example) => example.label))].sort();
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const classCount = labels.length;
  if (classCount < 2)
    throw new Error(`training needs at least two labels (found: ${labels.join(', ') || 'none'})`);
  const hasher = new FeatureHasher(options.features);
  const dimension = hasher.dimension;

  // Hash every example once into flat arrays.
  const offsets = new Uint32Array(examples.length + 1);
  const targets = new Uint16Array(examples.length);
  let total = 0;
  for (const example of examples)
    total += hasher.capacityFor(example.text.length, example.categories?.length ?? 0);
  const allIndices = new Int32Array(total);
  const allValues = new Float32Array(total);
  const buffer = createFeatureBuffer(1);
  let cursor = 0;
  examples.forEach((example, index) => {
    const target = labelIndex.get(example.label);
    if (target === undefined)
      throw new Error(`example ${index} has label '${example.label}', not one of the model's labels`);
    targets[index] = target;
    const capacity = hasher.capacityFor(example.text.length, example.categories?.length ?? 0);
    buffer.indices = allIndices.subarray(cursor, cursor + capacity);
    buffer.values = allValues.subarray(cursor, cursor + capacity);
    hasher.extract(example.text, buffer, example.categories);
    offsets[index] = cursor;
    cursor += buffer.length;
    offsets[index + 1] = cursor;
  });

  const idf = options.idf ? computeIdf(allIndices, offsets, hasher.bucketCount, dimension) : undefined;
  if (idf)
    for (let position = 0; position < cursor; position += 1)
      allValues[position] = (allValues[position] as number) * (idf[allIndices[position] as number] as number);

  const weights = new Float32Array(dimension * classCount);
  const squaredGradients = new Float32Array(dimension * classCount);
  const bias = new Float64Array(classCount);
  const biasSquared = new Float64Array(classCount);
  const scores = new Float64Array(classCount);
  const random = createRandom(options.seed);
  const order = Array.from({ length: examples.length }, (_, index) => index);
  const { learningRate, l2 } = options;
  const loss = options.loss ?? 'logistic';
  const margin = options.margin ?? 4;
  const epsilon = 1e-8;

  const runEpoch = (): void => {
    for (let index = order.length - 1; index > 0; index -= 1) {
      const swap = Math.floor(random() * (index + 1));
      [order[index], order[swap]] = [order[swap] as number, order[index] as number];
    }
    for (const example of order) {
      const start = offsets[example] as number;
      const end = offsets[example + 1] as number;
      for (let k = 0; k < classCount; k += 1) scores[k] = bias[k] as number;
      for (let position = start; position < end; position += 1) {
        const row = (allIndices[position] as number) * classCount;
        const value = allValues[position] as number;
        for (let k = 0; k < classCount; k += 1)
          scores[k] = (scores[k] as number) + (weights[row + k] as number) * value;
      }
      let max = -Infinity;
      for (let k = 0; k < classCount; k += 1) if ((scores[k] as number) > max) max = scores[k] as number;
      let sum = 0;
      for (let k = 0; k < classCount; k += 1) {
        const exp = Math.exp((scores[k] as number) - max);
        scores[k] = exp;
        sum += exp;
      }
      const target = targets[example] as number;
      // scores becomes the gradient of the loss with respect to each class's score.
      if (loss === 'hinge') {
        // Only the best wrong class is pushed down and the target up, and only while the target
        // does not lead it by the margin (computed on the shifted exponentials: log ratio = gap).
        let rival = -1;
        for (let k = 0; k < classCount; k += 1)
          if (k !== target && (rival < 0 || (scores[k] as number) > (scores[rival] as number))) rival = k;
        const gap = Math.log((scores[target] as number) / (scores[rival] as number));
        scores.fill(0);
        if (gap < margin) {
          scores[target] = -1;
          scores[rival] = 1;
        }
      } else {
        for (let k = 0; k < classCount; k += 1)
          scores[k] = (scores[k] as number) / sum - (k === target ? 1 : 0);
      }
      for (let k = 0; k < classCount; k += 1) {
        const gradient = scores[k] as number;
        biasSquared[k] = (biasSquared[k] as number) + gradient * gradient;
        bias[k] =
          (bias[k] as number) - (learningRate * gradient) / Math.sqrt((biasSquared[k] as number) + epsilon);
      }
      for (let position = start; position < end; position += 1) {
        const row = (allIndices[position] as number) * classCount;
        const value = allValues[position] as number;
        for (let k = 0; k < classCount; k += 1) {
          const classGradient = scores[k] as number;
          // Classes the model already rules out get a vanishing gradient; skipping them makes
          // many-label training several times faster and changes nothing measurable.
          if (classGradient > -1e-4 && classGradient < 1e-4) continue;
          const at = row + k;
          const gradient = classGradient * value + l2 * (weights[at] as number);
          if (gradient === 0) continue;
          const accumulated = (squaredGradients[at] as number) + gradient * gradient;
          squaredGradients[at] = accumulated;
          weights[at] =
            (weights[at] as number) - (learningRate * gradient) / Math.sqrt(accumulated + epsilon);
        }
      }
    }
  };
  const refitEpochs = options.maxWeightsPerRow ? (options.refitEpochs ?? DEFAULT_REFIT_EPOCHS) : 0;
  const totalEpochs = options.epochs + refitEpochs;
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    runEpoch();
    options.onProgress?.((epoch + 1) / totalEpochs);
  }
  if (options.maxWeightsPerRow) {
    freezeAllButLargest(weights, squaredGradients, classCount, options.maxWeightsPerRow);
    for (let epoch = 0; epoch < refitEpochs; epoch += 1) {
      runEpoch();
      options.onProgress?.((options.epochs + epoch + 1) / totalEpochs);
    }
  }

  if (idf) {
    for (let row = 0; row < dimension; row += 1) {
      const factor = idf[row] as number;
      if (factor === 1) continue;
      for (let k = 0; k < classCount; k += 1)
        weights[row * classCount + k] = (weights[row * classCount + k] as number) * factor;
    }
  }
  let budget = options.maxWeights;
  let bytes = encodeWeights(weights, dimension, classCount, findPruneThreshold(weights, budget));
  while (
    options.maxWeightBytes !== undefined &&
    (bytes.length * 4) / 3 > options.maxWeightBytes &&
    budget > 1_000
  ) {
    budget = Math.floor(budget * Math.min(0.95, options.maxWeightBytes / ((bytes.length * 4) / 3)));
    bytes = encodeWeights(weights, dimension, classCount, findPruneThreshold(weights, budget));
  }
  const file: TextClassifierFile = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    purpose: options.purpose,
    labels,
    features: options.features,
    categoricalColumns: options.categoricalColumns ?? [],
    training: {
      dataSha256: hashExamples(examples),
      examples: examples.length,
      source: options.source ?? '',
      format: options.format ?? '',
      epochs: options.epochs,
      learningRate,
      l2,
      seed: options.seed,
      ...(loss === 'hinge' ? { loss, margin } : {}),
      ...(options.maxWeightsPerRow ? { maxWeightsPerRow: options.maxWeightsPerRow, refitEpochs } : {}),
    },
    metrics: {},
    bias: Array.from(bias, (value) => Math.round(value * 1e6) / 1e6),
    weights: { encoding: 'rows-int8-varint', entries: 0, base64: Buffer.from(bytes).toString('base64') },
  };
  const classifier = new TextClassifier(file);
  file.weights.entries = classifier.weightCount;
  return { file, classifier };
}
