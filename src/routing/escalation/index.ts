export { checkAnswer, type EscalationReason, type FailedCheck } from './check-answer.js';
export { findSchemaProblem, findValueProblem, getSchemaValidator } from './json-schema-validators.js';
