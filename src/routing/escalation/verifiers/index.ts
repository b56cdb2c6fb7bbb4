import { answerFormatVerifier } from './answer-format-verifier.js';
import { arithmeticVerifier } from './arithmetic-verifier.js';
import { hedgingVerifier } from './hedging-verifier.js';
import type { Verifier } from './verifier.js';

export { evaluateArithmetic, matchesStatedValue } from './evaluate-arithmetic.js';
export type { Verifier, VerifierResult } from './verifier.js';
export { answerFormatVerifier, arithmeticVerifier, hedgingVerifier };

/** Every built-in verifier by the name the config uses. */
export const VERIFIERS: Readonly<Record<string, Verifier>> = {
  arithmetic: arithmeticVerifier,
  'answer-format': answerFormatVerifier,
  hedging: hedgingVerifier,
};

/** Runs the verifiers in order; returns the first failure (with the verifier's name), if any. */
export function runVerifiers(
  verifiers: readonly Verifier[],
  prompt: string,
  answer: string,
): { verifier: string; reason: string } | undefined {
  for (const verifier of verifiers) {
    const result = verifier.verify(prompt, answer);
    if (!result.pass) return { verifier: verifier.name, reason: result.reason };
  }
  return undefined;
}
