import type { Confidence } from '../../contract/index.js';

/** Mean and minimum of selected-token probabilities; undefined when there are none. */
export function computeConfidence(probabilities: readonly number[]): Confidence | undefined {
  if (probabilities.length === 0) return undefined;
  let sum = 0;
  let min = 1;
  for (const probability of probabilities) {
    sum += probability;
    if (probability < min) min = probability;
  }
  return {
    meanTokenProbability: sum / probabilities.length,
    minTokenProbability: min,
    tokenCount: probabilities.length,
  };
}
