import { computeStrongNeed, TextClassifier, type TextClassifierFile } from '../../routing/index.js';
import { assignFolds, crossValidate } from './cross-validate.js';
import { evaluateIntents, type IntentReport } from './evaluate-intents.js';
import { evaluateOutcomeRouting } from './evaluate-outcome-routing.js';
import { OUTCOME_LABELS } from './label-outcome.js';
import {
  convertOutcomesToExamples,
  type IntentData,
  type OutcomeData,
  type RouterDataFormat,
} from './read-router-data.js';
import { createTrainingSettings, type RouterTrainingSettings } from './router-training-defaults.js';
import { trainTextClassifier } from './train-text-classifier.js';
import type { TrainingExample } from './training-example.js';

export interface TrainRouterOptions {
  format: RouterDataFormat;
  source: string;
  /** Cross-validation folds for the stored metrics; 0 uses one 80/20 split instead (faster). */
  folds: number;
  overrides?: Partial<RouterTrainingSettings>;
  onProgress?: (fraction: number, stage: string) => void;
}

/**
 * Picks the out-of-scope threshold: the one with the best in-scope accuracy among those that catch
 * at least `minRecall` of the out-of-scope rows (or, if none does, the best sum of the two).
 * In-scope traffic is the bulk of real traffic, so its accuracy comes first.
 */
export function chooseOutOfScopeThreshold(
  examples: readonly TrainingExample[],
  labels: readonly string[],
  probabilities: Float64Array,
  outOfScopeLabel: string,
  minRecall = 0.7,
): { minConfidence: number; report: IntentReport } {
  const classCount = labels.length;
  const truth = examples.map((example) => example.label);
  let best: { minConfidence: number; report: IntentReport; score: number } | undefined;
  for (let step = 0; step <= 99; step += 1) {
    const minConfidence = step / 100;
    const predicted = examples.map((_, index) => {
      const row = probabilities.subarray(index * classCount, (index + 1) * classCount);
      let top = 0;
      for (let k = 1; k < classCount; k += 1) if ((row[k] as number) > (row[top] as number)) top = k;
      const label = labels[top] as string;
      return label !== outOfScopeLabel && (row[top] as number) < minConfidence ? outOfScopeLabel : label;
    });
    const report = evaluateIntents(truth, predicted, outOfScopeLabel);
    const meetsRecall = (report.oosRecall ?? 0) >= minRecall;
    // Thresholds that meet the recall floor rank above all others, then by in-scope accuracy.
    const score = meetsRecall
      ? 10 + (report.inScopeAccuracy ?? 0)
      : (report.inScopeAccuracy ?? 0) + (report.oosRecall ?? 0);
    if (!best || score > best.score + 1e-9) best = { minConfidence, report, score };
  }
  return { minConfidence: best?.minConfidence ?? 0, report: (best as { report: IntentReport }).report };
}

/**
 * Trains a router model from outcome or intent data, measures it on data it did not see
 * (k-fold cross-validation, or an 80/20 split), then trains the shipped model on everything.
 */
export function trainRouterModel(
  data: OutcomeData | IntentData,
  options: TrainRouterOptions,
): { file: TextClassifierFile; classifier: TextClassifier } {
  const settings = { ...createTrainingSettings(options.format), ...options.overrides };
  const isOutcome = data.kind === 'outcomes';
  const examples = isOutcome ? convertOutcomesToExamples(data) : data.examples;
  const labels = isOutcome
    ? [...OUTCOME_LABELS]
    : [...new Set(examples.map((example) => example.label))].sort();
  const categoricalColumns = isOutcome && data.rows.some((row) => row.subject) ? ['subject'] : [];
  const full = { ...settings, labels, categoricalColumns, source: options.source, format: options.format };

  // Out-of-sample predictions for the metrics.
  let heldOut: { indices: number[]; probabilities: Float64Array };
  if (options.folds >= 2) {
    const probabilities = crossValidate(examples, full, {
      folds: options.folds,
      onProgress: (fraction) => options.onProgress?.(fraction * 0.85, 'cross-validating'),
    });
    heldOut = { indices: examples.map((_, index) => index), probabilities };
  } else {
    const fold = assignFolds(examples.length, 5, settings.seed);
    const { classifier } = trainTextClassifier(
      examples.filter((_, index) => fold[index] !== 0),
      {
        ...full,
        onProgress: (fraction) => options.onProgress?.(fraction * 0.5, 'measuring on a held-out fifth'),
      },
    );
    const indices = examples.flatMap((_, index) => (fold[index] === 0 ? [index] : []));
    const probabilities = new Float64Array(indices.length * labels.length);
    const row = new Float64Array(labels.length);
    indices.forEach((exampleIndex, position) => {
      const example = examples[exampleIndex] as TrainingExample;
      classifier.predictInto(example.text, row, example.categories);
      probabilities.set(row, position * labels.length);
    });
    heldOut = { indices, probabilities };
  }

  const metrics: Record<string, unknown> = {
    method: options.folds >= 2 ? `${options.folds}-fold cross-validation` : 'held-out fifth',
  };
  let outOfScope: TextClassifierFile['outOfScope'];
  if (isOutcome) {
    const rows = heldOut.indices.map((index) => data.rows[index] as OutcomeData['rows'][number]);
    const scores = heldOut.indices.map((_, position) =>
      computeStrongNeed(
        labels,
        heldOut.probabilities.subarray(position * labels.length, (position + 1) * labels.length),
      ),
    );
    const { curve: _curve, ...report } = evaluateOutcomeRouting(rows, scores);
    Object.assign(metrics, report);
  } else {
    const heldExamples = heldOut.indices.map((index) => examples[index] as TrainingExample);
    if (data.outOfScopeLabel && labels.includes(data.outOfScopeLabel)) {
      const chosen = chooseOutOfScopeThreshold(
        heldExamples,
        labels,
        heldOut.probabilities,
        data.outOfScopeLabel,
      );
      outOfScope = { label: data.outOfScopeLabel, minConfidence: chosen.minConfidence };
      Object.assign(metrics, chosen.report, { outOfScopeMinConfidence: chosen.minConfidence });
    } else {
      const predicted = heldExamples.map((_, position) => {
        const row = heldOut.probabilities.subarray(position * labels.length, (position + 1) * labels.length);
        let top = 0;
        for (let k = 1; k < labels.length; k += 1) if ((row[k] as number) > (row[top] as number)) top = k;
        return labels[top] as string;
      });
      Object.assign(
        metrics,
        evaluateIntents(
          heldExamples.map((example) => example.label),
          predicted,
        ),
      );
    }
  }

  const trained = trainTextClassifier(examples, {
    ...full,
    onProgress: (fraction) => options.onProgress?.(0.85 + fraction * 0.15, 'training on all examples'),
  });
  const file: TextClassifierFile = { ...trained.file, metrics, ...(outOfScope ? { outOfScope } : {}) };
  return { file, classifier: outOfScope ? new TextClassifier(file) : trained.classifier };
}
