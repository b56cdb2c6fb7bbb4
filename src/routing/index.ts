export { ModelResolver, type ResolvedTarget } from './model-resolver.js';
