import { z } from 'zod';

/**
 * Confidence escalation: the `from` model answers first; the answer is checked, and the request is
 * re-run on `to` only when the check fails.
 */
export const escalationSchema = z.strictObject({
  /** The small model whose answers are checked. */
  from: z.string().min(1),
  /** The model that answers when the check fails. */
  to: z.string().min(1),
  /** Escalate when the mean probability of the generated tokens is below this (0..1). */
  minConfidence: z.number().min(0).max(1).optional(),
  /** Escalate when `response_format` asked for JSON and the answer does not parse or fit the schema. */
  onInvalidJson: z.boolean().default(true),
  /** Escalate when a tool call names an unknown tool or its arguments do not fit the tool's schema. */
  onInvalidToolCall: z.boolean().default(true),
  /** Escalate when the answer has neither text nor tool calls. */
  onEmpty: z.boolean().default(true),
  /**
   * Post-generation verifiers run on the answer text, in order: `arithmetic` (recomputes every
   * `a op b = c` step and wants a stated final answer), `answer-format` (an option letter for
   * multiple choice, parseable JSON when the prompt asks for JSON), `hedging` (refusals, guesses).
   */
  verifiers: z.array(z.enum(['arithmetic', 'answer-format', 'hedging'])).default([]),
  /**
   * Streaming clients: `buffer` generates the small model's answer whole, checks it, then streams it
   * or the escalated answer; `off` streams the small model directly and never escalates streams.
   */
  streaming: z.enum(['buffer', 'off']).default('buffer'),
  /**
   * `routed`: only requests the policy routed (`auto` and its aliases) escalate; a client that
   * names a model gets that model's answer. `all`: forced requests escalate too.
   */
  applyTo: z.enum(['routed', 'all']).default('routed'),
});

export type EscalationConfig = z.infer<typeof escalationSchema>;
