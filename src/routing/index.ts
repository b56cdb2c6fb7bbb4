export {
  computeStrongNeed,
  createRandom,
  DEFAULT_FEATURE_SETTINGS,
  type FeatureSettings,
  hashExamples,
  labelOutcome,
  loadTextClassifier,
  MODEL_FORMAT,
  OUTCOME_LABELS,
  type Prediction,
  TextClassifier,
  type TextClassifierFile,
  TrainedTaskClassifier,
  type TrainingExample,
  type TrainingLoss,
  type TrainingOptions,
  trainTextClassifier,
} from './classifier/index.js';
export {
  checkAnswer,
  type EscalationReason,
  type FailedCheck,
  findSchemaProblem,
  findValueProblem,
  runVerifiers,
  VERIFIERS,
  type Verifier,
  type VerifierResult,
} from './escalation/index.js';
export {
  ChatExecutor,
  type CircuitState,
  type ExecutionReport,
  type GenerateOutcome,
  type StreamOutcome,
  sumAttemptCost,
  sumAttemptMs,
} from './execution/index.js';
export {
  detectPii,
  HeuristicTaskClassifier,
  listPiiKinds,
  type PiiKind,
  type PiiMatch,
  type RequestFeatures,
  redactPii,
  type TaskClassification,
  type TaskClassifier,
} from './features/index.js';
export { ModelResolver, type ResolvedTarget, type RoutableModel } from './model-resolver.js';
export { evaluatePolicy, type PolicyDecision } from './policy/index.js';
