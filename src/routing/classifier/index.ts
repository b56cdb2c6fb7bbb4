export { createFeatureBuffer, type FeatureBuffer, FeatureHasher } from './feature-hasher.js';
export { DEFAULT_FEATURE_SETTINGS, type FeatureSettings } from './feature-settings.js';
export { INSTRUCTION_READING, type InstructionReading, readInstructionLines } from './instruction-lines.js';
export { loadTextClassifier } from './load-text-classifier.js';
export { computeStrongNeed, labelOutcome, OUTCOME_LABELS } from './strong-need.js';
export { STRUCTURAL_FEATURE_NAMES } from './structural-features.js';
export {
  MODEL_FORMAT,
  MODEL_VERSION,
  type Prediction,
  TextClassifier,
  type TextClassifierFile,
  type TrainingLoss,
} from './text-classifier.js';
export {
  createRandom,
  hashExamples,
  type TrainingExample,
  type TrainingOptions,
  trainTextClassifier,
} from './train-text-classifier.js';
export { TrainedTaskClassifier } from './trained-task-classifier.js';
