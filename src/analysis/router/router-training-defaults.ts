import { DEFAULT_FEATURE_SETTINGS, type FeatureSettings } from '../../routing/index.js';
import type { RouterDataFormat } from './read-router-data.js';

/** Hyper-parameters per data format, chosen by cross-validation on the dev data (README). */
export interface RouterTrainingSettings {
  purpose: string;
  features: FeatureSettings;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
  maxWeights: number;
  maxWeightBytes?: number;
}

export function createTrainingSettings(format: RouterDataFormat): RouterTrainingSettings {
  if (format === 'outcomes') {
    return {
      purpose: 'strong-needed',
      features: { ...DEFAULT_FEATURE_SETTINGS },
      epochs: 3,
      learningRate: 0.01,
      l2: 1e-4,
      seed: 1,
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
    maxWeights: 8_000_000,
  };
}
