import type { FeatureSettings, TrainingLoss } from '../../routing/index.js';
import type { RouterDataFormat } from './read-router-data.js';

/** Features for `router train`: 2^18 buckets, word 1- and 2-grams, character 3- to 5-grams. */
export const DEFAULT_FEATURE_SETTINGS: FeatureSettings = {
  bucketBits: 18,
  wordNgrams: [1, 2],
  charNgramMin: 3,
  charNgramMax: 5,
  charNgramWeight: 1,
  charNgramChars: 0,
  foldDigits: true,
  structural: true,
};

/** Hyper-parameters per data format, chosen by cross-validation on the dev data (docs/router.md). */
export interface RouterTrainingSettings {
  purpose: string;
  features: FeatureSettings;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  loss: TrainingLoss;
  maxWeights: number;
  maxWeightBytes?: number;
  maxWeightsPerRow?: number;
}

/**
 * Features for models that run on every request: 2^16 buckets, character 3- and 4-grams over the
 * first 500 characters, words over the first and last 500 of a longer text (docs/router.md). They
 * keep a decision's cost flat however long the prompt, and cross-validate about as well as larger
 * settings on the outcome data.
 */
export const ROUTER_FEATURE_SETTINGS: FeatureSettings = {
  ...DEFAULT_FEATURE_SETTINGS,
  bucketBits: 16,
  wordNgrams: [1, 2],
  charNgramMin: 3,
  charNgramMax: 4,
  charNgramChars: 500,
  maxChars: 500,
  tailChars: 500,
};

export function createTrainingSettings(format: RouterDataFormat): RouterTrainingSettings {
  if (format === 'outcomes') {
    return {
      purpose: 'strong-needed',
      features: ROUTER_FEATURE_SETTINGS,
      epochs: 3,
      learningRate: 0.01,
      l2: 1e-4,
      seed: 1,
      loss: 'logistic',
      maxWeights: 2_000_000,
    };
  }
  return {
    purpose: format === 'clinc150' ? 'intent-with-out-of-scope' : 'intent',
    features: { ...DEFAULT_FEATURE_SETTINGS, wordNgrams: [1, 2, 3] },
    epochs: 10,
    learningRate: 0.2,
    l2: 1e-5,
    seed: 1,
    // Many close intents: the hinge loss separates them better than softmax cross-entropy
    // (5-fold CV: banking77 0.896 -> 0.906, CLINC150 in-scope 0.946 -> 0.957 with out-of-scope
    // recall 0.70 -> 0.725, Bitext 0.994 -> 0.995).
    loss: 'hinge',
    maxWeights: 8_000_000,
  };
}
