import type { FinishReason, Usage } from '../../contract/index.js';

export function mapAnthropicStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

function readNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Anthropic reports uncached, cache-read and cache-write input separately; the contract's
 * `inputTokens` is their sum, so costs can apply each rate to its own share.
 */
export function convertAnthropicUsage(usage: unknown): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const value = usage as Record<string, unknown>;
  const cacheRead = readNumber(value.cache_read_input_tokens);
  const cacheWrite = readNumber(value.cache_creation_input_tokens);
  return {
    inputTokens: readNumber(value.input_tokens) + cacheRead + cacheWrite,
    outputTokens: readNumber(value.output_tokens),
    cachedInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
    reasoningTokens: 0,
    source: 'upstream',
  };
}
