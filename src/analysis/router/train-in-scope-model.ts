import { createHash } from 'node:crypto';
import { TextClassifier, type TextClassifierFile } from '../../routing/index.js';
import { predictAll } from './calibrate-out-of-scope.js';
import { evaluateIntents, type IntentReport } from './evaluate-intents.js';
import type { IntentData } from './read-router-data.js';
import { createTrainingSettings, type RouterTrainingSettings } from './router-training-defaults.js';
import { chooseOutOfScopeThreshold } from './train-router-model.js';
import { trainTextClassifier } from './train-text-classifier.js';
import type { TrainingExample } from './training-example.js';

/** Which half of the held-out rows a text falls in: a stable hash, so the halves never change. */
function isSelectionRow(text: string): boolean {
  return ((createHash('sha256').update(text).digest()[0] as number) & 1) === 0;
}

function predictLabels(
  labels: readonly string[],
  probabilities: Float64Array,
  outOfScopeLabel: string,
  minConfidence: number,
): string[] {
  const width = labels.length;
  const predicted: string[] = [];
  for (let offset = 0; offset < probabilities.length; offset += width) {
    let best = 0;
    for (let k = 1; k < width; k += 1)
      if ((probabilities[offset + k] as number) > (probabilities[offset + best] as number)) best = k;
    const label = labels[best] as string;
    predicted.push(
      label !== outOfScopeLabel && (probabilities[offset + best] as number) < minConfidence
        ? outOfScopeLabel
        : label,
    );
  }
  return predicted;
}

/**
 * The in-scope model with an operating point that holds on data it never saw. Three kinds of rows
 * are kept apart: the model trains on `training`; its out-of-scope threshold is chosen on half of
 * `heldOut` (the lowest that catches `targetRecall` of its out-of-scope rows); and it is measured
 * on the other half, which neither training nor the choice saw. A threshold chosen on
 * cross-validation of the training data was optimistic: out-of-scope rows like those trained on
 * are easier to catch than new ones.
 */
export function trainInScopeModel(
  training: IntentData,
  heldOut: IntentData,
  options: {
    targetRecall: number;
    source: string;
    overrides?: Partial<RouterTrainingSettings>;
    onProgress?: (fraction: number) => void;
  },
): { file: TextClassifierFile; classifier: TextClassifier } {
  const outOfScopeLabel = training.outOfScopeLabel ?? 'oos';
  const settings = { ...createTrainingSettings('clinc150'), ...options.overrides };
  const labels = [...new Set(training.examples.map((example) => example.label))].sort();
  const trained = trainTextClassifier(training.examples, {
    ...settings,
    labels,
    categoricalColumns: [],
    source: options.source,
    format: 'clinc150',
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const selection: TrainingExample[] = [];
  const measured: TrainingExample[] = [];
  for (const example of heldOut.examples) (isSelectionRow(example.text) ? selection : measured).push(example);
  const probabilitiesOf = (examples: TrainingExample[]) =>
    predictAll(
      trained.classifier,
      examples.map((example) => example.text),
    );
  const chosen = chooseOutOfScopeThreshold(
    selection,
    labels,
    probabilitiesOf(selection),
    outOfScopeLabel,
    options.targetRecall,
  );
  const heldOutReport: IntentReport = evaluateIntents(
    measured.map((example) => example.label),
    predictLabels(labels, probabilitiesOf(measured), outOfScopeLabel, chosen.minConfidence),
    outOfScopeLabel,
  );
  const file: TextClassifierFile = {
    ...trained.file,
    outOfScope: { label: outOfScopeLabel, minConfidence: chosen.minConfidence },
    metrics: {
      method: `threshold chosen on half of ${heldOut.splits?.join(' + ') ?? 'the held-out rows'} for out-of-scope recall ${options.targetRecall}, measured on the other half; neither half trained on`,
      outOfScopeMinConfidence: chosen.minConfidence,
      selection: chosen.report,
      heldOut: heldOutReport,
    },
  };
  return { file, classifier: new TextClassifier(file) };
}
