export { detectPii, listPiiKinds, type PiiKind, type PiiMatch, redactPii } from './detect-pii.js';
export {
  hasCardIssuerPrefix,
  isIbanValid,
  isLuhnValid,
  isSpanishIdValid,
  isSsnValid,
} from './pii-validators.js';
