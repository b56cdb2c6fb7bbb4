export { detectPii, listPiiKinds, type PiiKind, type PiiMatch, redactPii } from './detect-pii.js';
export { extractRequestFeatures, joinMessageText } from './extract-request-features.js';
export { HeuristicTaskClassifier } from './heuristic-task-classifier.js';
export type { RequestFeatures, TaskClassification, TaskClassifier } from './request-features.js';
