import { computeStrongNeed, type TextClassifier } from '../../routing/index.js';
import type { OutcomeRow } from './read-router-data.js';

/** The routing score of outcome-model probabilities: higher means send to the strong model first. */
export function scoreStrongNeed(labels: readonly string[], probabilities: ArrayLike<number>): number {
  return computeStrongNeed(labels, probabilities);
}

/** Scores every row with a trained outcome model. */
export function scoreOutcomeRows(classifier: TextClassifier, rows: readonly OutcomeRow[]): number[] {
  const probabilities = new Float64Array(classifier.labels.length);
  return rows.map((row) => {
    classifier.predictInto(row.prompt, probabilities, row.subject ? [row.subject] : undefined);
    return computeStrongNeed(classifier.labels, probabilities);
  });
}
