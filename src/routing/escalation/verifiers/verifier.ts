/** A verdict on a small model's answer, with a reason short enough for a header. */
export interface VerifierResult {
  pass: boolean;
  reason: string;
}

/**
 * Looks at a request and the small model's answer after generation and says whether the answer can
 * be served. Verifiers are pure and fast; the escalation step runs the configured ones in order.
 */
export interface Verifier {
  readonly name: string;
  verify(prompt: string, answer: string): VerifierResult;
}
