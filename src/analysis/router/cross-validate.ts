import type { TextClassifier } from '../../routing/index.js';
import { createRandom } from './create-random.js';
import type { RouterTrainingSettings } from './router-training-defaults.js';
import { trainTextClassifier } from './train-text-classifier.js';
import type { TrainingExample } from './training-example.js';

/** Each example's fold, assigned by a seeded shuffle (same seed, same folds). */
export function assignFolds(count: number, folds: number, seed: number): Uint8Array {
  const random = createRandom(seed ^ 0x5eed);
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index -= 1) {
    const swap = Math.floor(random() * (index + 1));
    [order[index], order[swap]] = [order[swap] as number, order[index] as number];
  }
  const fold = new Uint8Array(count);
  order.forEach((example, position) => {
    fold[example] = position % folds;
  });
  return fold;
}

/**
 * K-fold cross-validation: each example is predicted by a model that never saw it. Returns, per
 * example, every label's probability (row-major, `labels.length` per example).
 */
export function crossValidate(
  examples: readonly TrainingExample[],
  settings: RouterTrainingSettings & { labels: string[]; categoricalColumns?: string[] },
  options: {
    folds: number;
    onProgress?: (fraction: number) => void;
    /** Called with each fold's model and which examples it did not see, to predict them otherwise too. */
    onFold?: (classifier: TextClassifier, heldOut: (index: number) => boolean) => void;
  },
): Float64Array {
  const { labels } = settings;
  const probabilities = new Float64Array(examples.length * labels.length);
  const fold = assignFolds(examples.length, options.folds, settings.seed);
  const row = new Float64Array(labels.length);
  for (let current = 0; current < options.folds; current += 1) {
    const training = examples.filter((_, index) => fold[index] !== current);
    const { classifier } = trainTextClassifier(training, {
      ...settings,
      onProgress: (fraction) => options.onProgress?.((current + fraction) / options.folds),
    });
    predictFold(classifier, examples, fold, current, probabilities, row);
    options.onFold?.(classifier, (index) => fold[index] === current);
  }
  return probabilities;
}

function predictFold(
  classifier: TextClassifier,
  examples: readonly TrainingExample[],
  fold: Uint8Array,
  current: number,
  probabilities: Float64Array,
  row: Float64Array,
): void {
  examples.forEach((example, index) => {
    if (fold[index] !== current) return;
    classifier.predictInto(example.text, row, example.categories);
    probabilities.set(row, index * row.length);
  });
}
