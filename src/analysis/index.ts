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
  wilsonInterval,
} from './bench/summarize-bench.js';
export { type BenchReport, writeBenchReport } from './bench/write-bench-report.js';
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
export { chooseOutOfScopeThreshold, trainRouterModel } from './router/train-router-model.js';
export { type TrainingOptions, trainTextClassifier } from './router/train-text-classifier.js';
export type { TrainingExample } from './router/training-example.js';
