export { createFeatureBuffer, type FeatureBuffer, FeatureHasher } from './feature-hasher.js';
export type { FeatureSettings } from './feature-settings.js';
export { INSTRUCTION_READING, type InstructionReading, readInstructionLines } from './instruction-lines.js';
export { loadTextClassifier } from './load-text-classifier.js';
export { decodeWeights, entryClass, entryValue, type PackedWeights, ROW_SCALES } from './packed-weights.js';
export { computeStrongNeed } from './strong-need.js';
export { STRUCTURAL_FEATURE_NAMES } from './structural-features.js';
export {
  MODEL_FORMAT,
  MODEL_VERSION,
  type Prediction,
  TextClassifier,
  type TextClassifierFile,
  type TrainingHyperparameters,
  type TrainingLoss,
} from './text-classifier.js';
export { TrainedTaskClassifier } from './trained-task-classifier.js';
