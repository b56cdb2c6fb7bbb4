/**
 * Token usage of one model call. `inputTokens` includes cached tokens and `outputTokens` includes
 * reasoning tokens (OpenAI semantics), so the breakdown fields are subsets, never additions.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the upstream's prompt cache (billed at the cached rate). */
  cachedInputTokens: number;
  /** Input tokens written to the upstream's prompt cache (Anthropic bills these at a premium). */
  cacheWriteInputTokens: number;
  /** Output tokens spent on hidden reasoning. */
  reasoningTokens: number;
  /**
   * `upstream`: reported by the engine that ran the model (an API's usage object or the embedded
   * engine's own token meter). `counted`: estimated here because the upstream reported none.
   */
  source: 'upstream' | 'counted';
}
