import type { TextClassifier, TextClassifierFile } from '../../routing/index.js';
import type { IntentReport } from './evaluate-intents.js';
import type { IntentData } from './read-router-data.js';
import { chooseOutOfScopeThreshold } from './train-router-model.js';

/** Where an in-scope model's out-of-scope threshold was set, and what it gave there. */
export interface OutOfScopeCalibration {
  minConfidence: number;
  targetRecall: number;
  /** What the threshold was chosen on (a data file and its splits, or the request log). */
  source: string;
  n: number;
  /** Share of the out-of-scope rows (or of the requests the small model failed) caught. */
  oosRecall: number;
  /** Labelled data: accuracy on the in-scope rows. */
  inScopeAccuracy?: number;
  /** The log: share of the requests the small model handled that stay in scope. */
  keptShare?: number;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Every label's probability for every text, row-major (as `chooseOutOfScopeThreshold` reads them). */
export function predictAll(classifier: TextClassifier, texts: readonly string[]): Float64Array {
  const width = classifier.labels.length;
  const probabilities = new Float64Array(texts.length * width);
  const row = new Float64Array(width);
  texts.forEach((text, index) => {
    classifier.predictInto(text, row);
    probabilities.set(row, index * width);
  });
  return probabilities;
}

function outOfScopeLabel(classifier: TextClassifier): string {
  const label = classifier.file.outOfScope?.label;
  if (!label)
    throw new Error('the model has no out-of-scope label (train it on data with out-of-scope rows)');
  return label;
}

/**
 * The threshold that catches `targetRecall` of the out-of-scope rows of labelled intent data,
 * with the best in-scope accuracy among those that do. Choose it on data the model never saw: a
 * threshold chosen on its own training data does not hold on new traffic.
 */
export function calibrateOutOfScopeOnData(
  classifier: TextClassifier,
  data: IntentData,
  targetRecall: number,
  source: string,
): OutOfScopeCalibration {
  const label = outOfScopeLabel(classifier);
  const probabilities = predictAll(
    classifier,
    data.examples.map((example) => example.text),
  );
  const chosen = chooseOutOfScopeThreshold(
    data.examples,
    classifier.labels,
    probabilities,
    label,
    targetRecall,
  );
  const report: IntentReport = chosen.report;
  return {
    minConfidence: chosen.minConfidence,
    targetRecall,
    source,
    n: report.n,
    oosRecall: report.oosRecall ?? 0,
    inScopeAccuracy: report.inScopeAccuracy ?? 0,
  };
}

/**
 * The threshold for a deployment's own traffic: requests whose small-model answer failed (by
 * feedback, a shadow comparison or an escalation check) are the ones the in-scope model should
 * send away, those it handled the ones to keep. The lowest threshold that sends away
 * `targetRecall` of the failures is chosen, so as few handled requests as possible leave with them.
 */
export function calibrateOutOfScopeOnLog(
  classifier: TextClassifier,
  rows: readonly { prompt: string; weakCorrect: boolean }[],
  targetRecall: number,
  source: string,
): OutOfScopeCalibration {
  const label = outOfScopeLabel(classifier);
  const failed = rows.filter((row) => !row.weakCorrect).length;
  if (failed === 0 || failed === rows.length)
    throw new Error(
      `the log needs requests the small model failed and requests it handled (found ${failed} of ${rows.length} failed)`,
    );
  const outIndex = classifier.labels.indexOf(label);
  const probabilities = new Float64Array(classifier.labels.length);
  const judged = rows.map((row) => {
    const best = classifier.predictInto(row.prompt, probabilities);
    // A prediction of the out-of-scope label leaves whatever the threshold: confidence 0 says so.
    return { confidence: best === outIndex ? 0 : (probabilities[best] as number), failed: !row.weakCorrect };
  });
  const measure = (minConfidence: number) => {
    let caught = 0;
    let kept = 0;
    for (const row of judged) {
      const leaves = row.confidence < minConfidence || row.confidence === 0;
      if (row.failed) caught += leaves ? 1 : 0;
      else kept += leaves ? 0 : 1;
    }
    return { oosRecall: caught / failed, keptShare: kept / (rows.length - failed) };
  };
  let minConfidence = 0.99;
  for (let step = 0; step <= 99; step += 1) {
    if (measure(step / 100).oosRecall >= targetRecall - 1e-12) {
      minConfidence = step / 100;
      break;
    }
  }
  const measured = measure(minConfidence);
  return {
    minConfidence,
    targetRecall,
    source,
    n: rows.length,
    oosRecall: round(measured.oosRecall),
    keptShare: round(measured.keptShare),
  };
}

/** The model file with its out-of-scope threshold set where `calibration` put it, and why. */
export function applyOutOfScopeCalibration(
  file: Omit<TextClassifierFile, 'weights' | 'bias'> & Pick<TextClassifierFile, 'weights' | 'bias'>,
  calibration: OutOfScopeCalibration,
): TextClassifierFile {
  const label = file.outOfScope?.label;
  if (!label) throw new Error('the model has no out-of-scope label');
  return {
    ...file,
    outOfScope: { label, minConfidence: calibration.minConfidence },
    metrics: { ...file.metrics, operatingPoint: calibration },
  };
}
