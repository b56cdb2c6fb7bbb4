import type { FinishReason, TokenLogprob, Usage } from '../../contract/index.js';

/**
 * Readers for the upstream's JSON. Deliberately loose: unknown fields are ignored and missing ones
 * defaulted, so a provider adding a field never breaks parsing.
 */
export function mapOpenAIFinishReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

function readNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** OpenAI usage → contract usage; undefined when the upstream sent none. */
export function convertOpenAIUsage(usage: unknown): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const value = usage as Record<string, unknown>;
  const promptDetails = (value.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const completionDetails = (value.completion_tokens_details ?? {}) as Record<string, unknown>;
  return {
    inputTokens: readNumber(value.prompt_tokens),
    outputTokens: readNumber(value.completion_tokens),
    cachedInputTokens: readNumber(promptDetails.cached_tokens),
    cacheWriteInputTokens: 0,
    reasoningTokens: readNumber(completionDetails.reasoning_tokens),
    source: 'upstream',
  };
}

/** `choice.logprobs.content` → contract logprobs (empty when absent). */
export function convertOpenAILogprobs(logprobs: unknown): TokenLogprob[] {
  const content = (logprobs as { content?: unknown } | null | undefined)?.content;
  if (!Array.isArray(content)) return [];
  return content.map((entry: Record<string, unknown>) => ({
    token: String(entry.token ?? ''),
    logprob: readNumber(entry.logprob),
    topLogprobs: Array.isArray(entry.top_logprobs)
      ? entry.top_logprobs.map((top: Record<string, unknown>) => ({
          token: String(top.token ?? ''),
          logprob: readNumber(top.logprob),
        }))
      : [],
  }));
}
