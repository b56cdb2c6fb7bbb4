// Trains the router models the gateway ships with, from ../shared/data, reproducibly (fixed seeds),
// and records their cross-validated metrics. Run: npm run train:router
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  convertOutcomesToExamples,
  createTrainingSettings,
  evaluateIntents,
  evaluateOutcomeRouting,
  type IntentData,
  OUTCOME_LABELS,
  type OutcomeData,
  ROUTER_FEATURE_SETTINGS,
  readRouterData,
  trainInScopeModel,
  trainRouterModel,
  trainTextClassifier,
} from '../src/analysis/index.js';
import { buildTaskTypeExamples, TASK_TYPES } from '../src/analysis/router/build-task-type-examples.js';
import { crossValidate } from '../src/analysis/router/cross-validate.js';
import { readTaskTypeSources } from '../src/analysis/router/read-task-type-sources.js';
import {
  computeStrongNeed,
  INSTRUCTION_READING,
  runVerifiers,
  TrainedTaskClassifier,
  VERIFIERS,
  type Verifier,
} from '../src/routing/index.js';

const root = new URL('..', import.meta.url).pathname;
const data = join(root, '../shared/data');
const out = join(root, 'models/router');
const MAX_FILE_BYTES = 3_000_000;
mkdirSync(out, { recursive: true });

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

function write(name: string, file: unknown): number {
  const path = join(out, name);
  writeFileSync(path, `${JSON.stringify(file)}\n`);
  const bytes = statSync(path).size;
  if (bytes > MAX_FILE_BYTES) throw new Error(`${name} is ${bytes} bytes, over the ${MAX_FILE_BYTES} budget`);
  log(`wrote ${name}: ${(bytes / 1e6).toFixed(2)} MB`);
  return bytes;
}

const metrics: Record<string, unknown> = {};

// 1. Strong-needed (complexity): MMLU and GSM8K outcomes together, measured on each.
const mmlu = (await readRouterData(join(data, 'routing/mmlu-outcomes.dev.csv'), 'outcomes')) as OutcomeData;
const gsm8k = (await readRouterData(join(data, 'routing/gsm8k-outcomes.dev.csv'), 'outcomes')) as OutcomeData;
for (const [name, dataset] of [
  ['mmlu', mmlu],
  ['gsm8k', gsm8k],
] as const) {
  const { file } = trainRouterModel(dataset, {
    format: 'outcomes',
    source: `${name}-outcomes.dev.csv`,
    folds: 5,
  });
  metrics[`strongNeeded.${name}`] = file.metrics;
  log(`strong-needed on ${name}: ${JSON.stringify(file.metrics)}`);
}
// The GSM8K cascade: the weak model answers, verifiers escalate failures first, then the
// cross-validated router orders the rest. Measured per verifier and all together.
{
  const settings = { ...createTrainingSettings('outcomes'), labels: [...OUTCOME_LABELS] };
  const probabilities = crossValidate(convertOutcomesToExamples(gsm8k), settings, { folds: 5 });
  const scores = gsm8k.rows.map((_, index) =>
    computeStrongNeed(OUTCOME_LABELS, probabilities.subarray(index * 4, index * 4 + 4)),
  );
  const cascade: Record<string, unknown> = {
    routerOnly: evaluateOutcomeRouting(gsm8k.rows, scores).apgr,
    promptLengthOnly: evaluateOutcomeRouting(
      gsm8k.rows,
      gsm8k.rows.map((row) => row.prompt.length),
    ).apgr,
  };
  const sets: Record<string, string[]> = {
    arithmetic: ['arithmetic'],
    'answer-format': ['answer-format'],
    hedging: ['hedging'],
    all: ['arithmetic', 'answer-format', 'hedging'],
  };
  for (const [name, names] of Object.entries(sets)) {
    const verifiers = names.map((verifier) => VERIFIERS[verifier] as Verifier);
    const flagged = gsm8k.rows.map(
      (row) => runVerifiers(verifiers, row.prompt, row.weakResponse ?? '') !== undefined,
    );
    const report = evaluateOutcomeRouting(
      gsm8k.rows,
      scores.map((score, index) => (flagged[index] ? 1 : 0) + score * 0.999),
    );
    cascade[name] = {
      apgr: report.apgr,
      cpt50: report.cpt50,
      cpt80: report.cpt80,
      escalatedShare: flagged.filter(Boolean).length / gsm8k.rows.length,
    };
  }
  metrics.cascadeGsm8k = cascade;
  log(`gsm8k cascade: ${JSON.stringify(cascade)}`);
}

const combined: OutcomeData = { ...mmlu, rows: [...mmlu.rows, ...gsm8k.rows] };
const strongNeeded = trainRouterModel(combined, {
  format: 'outcomes',
  source: 'mmlu-outcomes.dev.csv + gsm8k-outcomes.dev.csv',
  folds: 5,
  overrides: { maxWeightBytes: 2_900_000 },
});
metrics.strongNeeded = strongNeeded.file.metrics;
write('strong-needed.json', strongNeeded.file);

// 2. In-scope / out-of-scope: CLINC150. The model trains on train + oos_train; its out-of-scope
// threshold is chosen on half of val + oos_val and measured on the other half, which neither
// training nor the choice saw (src/analysis/router/train-in-scope-model.ts).
const clincFile = join(data, 'intent/clinc150.train.json');
const clincTraining = (await readRouterData(clincFile, 'clinc150', {
  splits: ['train', 'oos_train'],
})) as IntentData;
const clincHeldOut = (await readRouterData(clincFile, 'clinc150', {
  splits: ['val', 'oos_val'],
})) as IntentData;
const inScope = trainInScopeModel(clincTraining, clincHeldOut, {
  // Out-of-scope rows of new traffic are harder to catch than the held-out ones, so the target
  // sits above the recall the routing needs.
  targetRecall: 0.8,
  source: 'clinc150.train.json (train, oos_train)',
  // It runs on every request a rule asks about scope: the fast router features, read over the
  // first 140 characters only (CLINC150's longest text has 136, so the model never learned from
  // more: a long message is judged by its opening), and at most 32 label weights per feature
  // (common n-grams otherwise carry one for nearly all 151 labels, and scoring reads them all).
  // docs/router.md has the measurements.
  overrides: {
    maxWeightBytes: 2_900_000,
    features: { ...ROUTER_FEATURE_SETTINGS, maxChars: 140, tailChars: 0 },
    maxWeightsPerRow: 32,
  },
});
metrics.inScope = inScope.file.metrics;
log(`in-scope: ${JSON.stringify(inScope.file.metrics)}`);
write('in-scope.json', { ...inScope.file, purpose: 'in-scope' });

// 3. Task type: real prompts per task plus documented templates around real texts.
const taskExamples = buildTaskTypeExamples(await readTaskTypeSources(data), { perType: 1_000, seed: 1 });
const taskSettings = {
  ...createTrainingSettings('banking77'),
  // Its probability is logged with every decision: keep it a calibrated (logistic) one.
  loss: 'logistic' as const,
  // It runs on every routed request: the fast router features.
  features: ROUTER_FEATURE_SETTINGS,
  purpose: 'task-type',
  maxWeightBytes: 2_900_000,
  labels: [...TASK_TYPES],
};
// Each fold's model is also run as the router runs it (TrainedTaskClassifier: a long prompt's
// instruction lines judged alone, src/routing/classifier/instruction-lines.ts).
const taskRouted: string[] = [];
const taskProbabilities = crossValidate(taskExamples, taskSettings, {
  folds: 5,
  onFold: (classifier, heldOut) => {
    const router = new TrainedTaskClassifier({ taskType: classifier });
    taskExamples.forEach((example, index) => {
      if (heldOut(index)) taskRouted[index] = router.classify(example.text).taskType;
    });
  },
});
const taskPredicted = taskExamples.map((_, index) => {
  const row = taskProbabilities.subarray(index * TASK_TYPES.length, (index + 1) * TASK_TYPES.length);
  let best = 0;
  for (let k = 1; k < row.length; k += 1) if ((row[k] as number) > (row[best] as number)) best = k;
  return TASK_TYPES[best] as string;
});
const taskTruth = taskExamples.map((example) => example.label);
// The prompts the instruction lines can change: those over minTextChars.
const longIndices = taskTruth
  .map((_, index) => index)
  .filter((index) => (taskExamples[index]?.text.length ?? 0) > INSTRUCTION_READING.minTextChars);
const longAccuracy = (predicted: string[]) =>
  evaluateIntents(
    longIndices.map((index) => taskTruth[index] as string),
    longIndices.map((index) => predicted[index] as string),
  ).accuracy;
const taskMetrics = {
  method: '5-fold cross-validation, read as the router reads it (instruction lines of long prompts)',
  ...evaluateIntents(taskTruth, taskRouted),
  longPrompts: longIndices.length,
  longPromptAccuracy: longAccuracy(taskRouted),
  wholePromptReading: {
    ...evaluateIntents(taskTruth, taskPredicted),
    longPromptAccuracy: longAccuracy(taskPredicted),
  },
};
metrics.taskType = taskMetrics;
log(`task type: ${JSON.stringify(taskMetrics)}`);
const taskType = trainTextClassifier(taskExamples, {
  ...taskSettings,
  source: 'built from ../shared/data (docs/router.md)',
  format: 'task-type',
});
write('task-type.json', { ...taskType.file, metrics: taskMetrics });

// 4. Intent benchmarks the issue sets targets for (measured, not shipped).
for (const [name, format, file] of [
  ['banking77', 'banking77', 'intent/banking77.train.csv'],
  ['bitext', 'bitext', 'intent/bitext-customer-support.dev.csv'],
] as const) {
  const dataset = (await readRouterData(join(data, file), format)) as IntentData;
  const { file: model } = trainRouterModel(dataset, { format, source: file, folds: 5 });
  metrics[name] = model.metrics;
  log(`${name}: ${JSON.stringify(model.metrics)}`);
}

writeFileSync(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
log('wrote metrics.json');
