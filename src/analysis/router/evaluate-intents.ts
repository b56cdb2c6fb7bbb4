export interface IntentReport {
  n: number;
  accuracy: number;
  macroF1: number;
  /** With out-of-scope rows: accuracy on in-scope rows (predicting out-of-scope counts as wrong). */
  inScopeAccuracy?: number;
  /** With out-of-scope rows: share of them predicted out of scope. */
  oosRecall?: number;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Accuracy, macro-F1 over the true labels, and the out-of-scope pair when `outOfScopeLabel` is given. */
export function evaluateIntents(
  truth: readonly string[],
  predicted: readonly string[],
  outOfScopeLabel?: string,
): IntentReport {
  const n = truth.length;
  let correct = 0;
  const truePositives = new Map<string, number>();
  const predictedCounts = new Map<string, number>();
  const actualCounts = new Map<string, number>();
  let inScope = 0;
  let inScopeCorrect = 0;
  let outOfScope = 0;
  let outOfScopeCaught = 0;
  for (let index = 0; index < n; index += 1) {
    const actual = truth[index] as string;
    const guess = predicted[index] as string;
    actualCounts.set(actual, (actualCounts.get(actual) ?? 0) + 1);
    predictedCounts.set(guess, (predictedCounts.get(guess) ?? 0) + 1);
    if (actual === guess) {
      correct += 1;
      truePositives.set(actual, (truePositives.get(actual) ?? 0) + 1);
    }
    if (outOfScopeLabel !== undefined) {
      if (actual === outOfScopeLabel) {
        outOfScope += 1;
        if (guess === outOfScopeLabel) outOfScopeCaught += 1;
      } else {
        inScope += 1;
        if (guess === actual) inScopeCorrect += 1;
      }
    }
  }
  let f1Sum = 0;
  for (const [label, count] of actualCounts) {
    const tp = truePositives.get(label) ?? 0;
    const precision = tp / (predictedCounts.get(label) ?? 1);
    const recall = tp / count;
    f1Sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  }
  const report: IntentReport = { n, accuracy: round(correct / n), macroF1: round(f1Sum / actualCounts.size) };
  if (outOfScopeLabel !== undefined && outOfScope > 0) {
    report.inScopeAccuracy = round(inScope > 0 ? inScopeCorrect / inScope : 0);
    report.oosRecall = round(outOfScopeCaught / outOfScope);
  }
  return report;
}
