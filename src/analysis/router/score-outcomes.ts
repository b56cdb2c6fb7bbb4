import { computeStrongNeed, type TextClassifier } from '../../routing/index.js';
import type { OutcomeRow } from './read-router-data.js';

/** Scores every row with a trained outcome model. */
export function scoreOutcomeRows(classifier: TextClassifier, rows: readonly OutcomeRow[]): number[] {
  const probabilities = new Float64Array(classifier.labels.length);
  return rows.map((row) => {
    classifier.predictInto(row.prompt, probabilities, row.subject ? [row.subject] : undefined);
    return computeStrongNeed(classifier.labels, probabilities);
  });
}
