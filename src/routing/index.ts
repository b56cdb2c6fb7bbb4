export { detectPii, listPiiKinds, type PiiKind, type PiiMatch, redactPii } from './features/index.js';
export { ModelResolver, type ResolvedTarget } from './model-resolver.js';
