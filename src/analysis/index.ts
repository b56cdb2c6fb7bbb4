export { type AuditReport, auditTraffic } from './audit/audit-traffic.js';
export { readTraffic, type TrafficEntry, type TrafficFormat } from './audit/read-traffic.js';
export { openFileBenchCache } from './bench/file-bench-cache.js';
export { type BenchItem, readBenchDataset } from './bench/read-bench-dataset.js';
export { type BenchCache, createBenchKey, runBench } from './bench/run-bench.js';
export { findChoice, findLastNumber, SCORERS, type Scorer, scoreAnswer } from './bench/score-answer.js';
export {
  type BenchResult,
  computeAgreement,
  type ModelSummary,
  percentile,
  summarizeModel,
} from './bench/summarize-bench.js';
export { type BenchReport, writeBenchReport } from './bench/write-bench-report.js';
export {
  buildFinetuneDataset,
  type FeedbackFilter,
  type FinetuneCounts,
  type FinetuneExample,
  type FinetuneFormat,
  type FinetuneOptions,
  type FinetuneSource,
  formatFinetuneLine,
} from './finetune/build-finetune-dataset.js';
export {
  describeFinetunePaths,
  type FinetuneManifest,
  writeFinetuneFiles,
} from './finetune/write-finetune-files.js';
export {
  buildLogOutcomes,
  type LogOutcomeCounts,
  type LogOutcomeRow,
  type LogOutcomeSources,
  type OutcomeEvidence,
} from './log/build-log-outcomes.js';
export { judgeFeedback } from './log/judge-feedback.js';
export { type ModelRoles, resolveModelRoles } from './log/model-roles.js';
export { type LoggedMessage, parseLoggedMessages, readRoutedText } from './log/parse-logged-messages.js';
export {
  estimateComputeBytes,
  estimateKvCacheBytes,
  estimateMemory,
  type MemoryEstimate,
  type ModelShape,
} from './memory/estimate-memory.js';
export { GGML_TYPES, KV_BYTES_PER_ELEMENT, PRESET_BITS_PER_WEIGHT } from './memory/ggml-types.js';
export { type GgufShape, readGgufShape } from './memory/read-gguf-shape.js';
export { computeRoi, HOURS_PER_MONTH, type RoiInput, type RoiReport } from './roi/compute-roi.js';
export { buildOutcomePlot } from './router/build-outcome-plot.js';
export {
  applyOutOfScopeCalibration,
  calibrateOutOfScopeOnData,
  calibrateOutOfScopeOnLog,
  type OutOfScopeCalibration,
} from './router/calibrate-out-of-scope.js';
export { type Calibration, calibrateThreshold } from './router/calibrate-threshold.js';
export { evaluateIntents, type IntentReport } from './router/evaluate-intents.js';
export {
  computeQualityCurve,
  evaluateOutcomeRouting,
  type OutcomeRoutingReport,
} from './router/evaluate-outcome-routing.js';
export {
  type CascadeReport,
  evaluateCascade,
  evaluateIntentModel,
  evaluateOutcomeModel,
  type VerifierStats,
} from './router/evaluate-router-model.js';
export { OUTCOME_LABELS } from './router/label-outcome.js';
export { parseCsv } from './router/parse-csv.js';
export { plotBarsSvg, plotCostQualitySvg } from './router/plot-svg.js';
export {
  convertOutcomesToExamples,
  type DataPurpose,
  type IntentData,
  type OutcomeData,
  type OutcomeRow,
  ROUTER_DATA_FORMATS,
  type RouterDataFormat,
  readRouterData,
} from './router/read-router-data.js';
export {
  createTrainingSettings,
  ROUTER_FEATURE_SETTINGS,
  type RouterTrainingSettings,
} from './router/router-training-defaults.js';
export { scoreOutcomeRows } from './router/score-outcomes.js';
export {
  crossValidateScores,
  evaluateOnLog,
  HELD_OUT_SHARE,
  type LogRoutingReport,
  type PolicyPoint,
  splitByTime,
  trainFromLog,
  trainOutcomeModel,
} from './router/train-from-log.js';
export { trainInScopeModel } from './router/train-in-scope-model.js';
export { chooseOutOfScopeThreshold, trainRouterModel } from './router/train-router-model.js';
export { type TrainingOptions, trainTextClassifier } from './router/train-text-classifier.js';
export type { TrainingExample } from './router/training-example.js';
export {
  type ShadowReport,
  type ShadowReportRow,
  summarizeShadow,
} from './shadow/summarize-shadow.js';
