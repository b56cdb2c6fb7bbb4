export { evaluatePolicy, type PolicyDecision } from './evaluate-policy.js';
