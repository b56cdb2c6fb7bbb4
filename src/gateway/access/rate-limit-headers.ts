import type { RateState } from '../../storage/index.js';

/** A duration as OpenAI writes its reset headers: `1s`, `6m0s`, `250ms`. */
export function formatResetDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const seconds = Math.ceil(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m${seconds % 60}s` : `${seconds}s`;
}

/**
 * OpenAI's rate-limit headers for a keyed request: of the scopes with a limit of each kind (the
 * key's and its tenant's), the one with the least remaining, as the client is bound by it.
 */
export function createRateLimitHeaders(states: RateState[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['requests', 'tokens'] as const) {
    let tightest: { limit: number; remaining: number; resetMs: number } | undefined;
    for (const state of states) {
      const window = state[kind];
      if (window && (!tightest || window.remaining < tightest.remaining)) tightest = window;
    }
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(tightest.remaining);
    headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(tightest.resetMs);
  }
  return headers;
}
