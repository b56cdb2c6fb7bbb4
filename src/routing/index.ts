export {
  computeStrongNeed,
  createFeatureBuffer,
  decodeWeights,
  entryClass,
  entryValue,
  FeatureHasher,
  type FeatureSettings,
  INSTRUCTION_READING,
  type InstructionReading,
  loadTextClassifier,
  MODEL_FORMAT,
  MODEL_VERSION,
  type Prediction,
  ROW_SCALES,
  readInstructionLines,
  TextClassifier,
  type TextClassifierFile,
  TrainedTaskClassifier,
  type TrainingHyperparameters,
  type TrainingLoss,
} from './classifier/index.js';
export { describeRouteReason } from './describe-route-reason.js';
export {
  checkAnswer,
  type EscalationReason,
  type FailedCheck,
  findSchemaProblem,
  findValueProblem,
  loadSchemaValidators,
  runVerifiers,
  VERIFIERS,
  type Verifier,
  type VerifierResult,
} from './escalation/index.js';
export {
  AttemptLog,
  ChatExecutor,
  type CircuitState,
  decideRouteReason,
  type EscalationDeclined,
  type StreamHooks,
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
export { evaluatePolicy, type PolicyDecision } from './policy/index.js';
export {
  assignRollout,
  placeOnRollout,
  type RolloutShares,
  type StickyKeys,
} from './rollout/assign-rollout.js';
export { type RoutableModel, type RouteOptions, RouteResolver } from './route-resolver.js';
