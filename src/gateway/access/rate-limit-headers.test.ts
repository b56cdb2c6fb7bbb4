import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRateLimitHeaders, formatResetDuration } from './rate-limit-headers.js';

describe('rate-limit headers', () => {
  it('writes durations as OpenAI does', () => {
    assert.equal(formatResetDuration(250), '250ms');
    assert.equal(formatResetDuration(1000), '1s');
    assert.equal(formatResetDuration(59_001), '1m0s');
    assert.equal(formatResetDuration(360_000), '6m0s');
  });

  it('reports, of each kind, the scope with the least remaining', () => {
    const headers = createRateLimitHeaders([
      { scope: 'key:k', requests: { limit: 30, remaining: 29, resetMs: 2_000 } },
      {
        scope: 'tenant:t',
        requests: { limit: 100, remaining: 3, resetMs: 40_000 },
        tokens: { limit: 9000, remaining: 8000, resetMs: 500 },
      },
    ]);
    assert.deepEqual(headers, {
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '3',
      'x-ratelimit-reset-requests': '40s',
      'x-ratelimit-limit-tokens': '9000',
      'x-ratelimit-remaining-tokens': '8000',
      'x-ratelimit-reset-tokens': '500ms',
    });
    assert.deepEqual(createRateLimitHeaders([{ scope: 'key:k' }]), {});
  });
});
