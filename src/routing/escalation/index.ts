export { checkAnswer, type EscalationReason, type FailedCheck } from './check-answer.js';
export {
  findSchemaProblem,
  findValueProblem,
  getSchemaValidator,
  loadSchemaValidators,
} from './json-schema-validators.js';
export {
  answerFormatVerifier,
  arithmeticVerifier,
  hedgingVerifier,
  runVerifiers,
  VERIFIERS,
  type Verifier,
  type VerifierResult,
} from './verifiers/index.js';
