import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/index.js';
import type { Usage } from '../contract/index.js';
import { PriceBook } from './price-book.js';

function usage(inputTokens: number, outputTokens: number, extra: Partial<Usage> = {}): Usage {
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    source: 'upstream',
    ...extra,
  };
}

const config = parseConfig(
  {
    models: {
      local: { provider: 'llama-cpp', model: './m.gguf' },
      rented: { provider: 'llama-cpp', model: './m.gguf', price: { hourly: 3.6 } },
      cloud: { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', model: 'gpt-4o' },
      custom: {
        provider: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:1/v1',
        model: 'my-finetune',
        price: { inputPerMillion: 5, outputPerMillion: 20 },
      },
      mystery: { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', model: 'mystery-7b' },
    },
    routing: { default: 'local', baseline: 'custom' },
  },
  'test',
);

describe('PriceBook', () => {
  const book = new PriceBook({ models: config.models, baseline: config.routing.baseline });

  it('uses the configured price over the built-in table', () => {
    // 400 × 5 + 600 × 20 = 14,000 micro-dollars.
    assert.equal(book.startAttempt('custom').finish(usage(400, 600)), 0.014);
  });

  it('falls back to the built-in dated table by upstream model id (gpt-4o: $2.50/$10)', () => {
    assert.equal(book.startAttempt('cloud').finish(usage(1_000, 100)), (1_000 * 2.5 + 100 * 10) / 1e6);
  });

  it('prices a dated snapshot the upstream reports at that snapshot’s own price', () => {
    // gpt-4o-2024-05-13 is $5/$15, twice the gpt-4o input rate.
    const cost = book.startAttempt('cloud').finish(usage(1_000, 100), 'gpt-4o-2024-05-13');
    assert.equal(cost, (1_000 * 5 + 100 * 15) / 1e6);
  });

  it('treats an unpriced local model as free and an unpriced remote one as unknown', () => {
    assert.equal(book.startAttempt('local').finish(usage(10, 10)), 0);
    assert.equal(book.startAttempt('mystery').finish(usage(10, 10)), null);
    assert.deepEqual(book.listUnpriced(), ['mystery']);
  });

  it('charges an hourly model for the busy time the attempt took', async () => {
    const meter = book.startAttempt('rented');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cost = meter.finish(usage(10, 10));
    assert.ok(cost !== null);
    // $3.60 an hour is $0.001 a second; 50 ms (timers may run late, never early) ≥ $0.00005.
    assert.ok(cost >= 0.000049 && cost < 0.001, `cost ${cost}`);
  });

  it('computes the baseline cost of the same tokens', () => {
    assert.equal(book.computeBaselineCost(usage(400, 600)), 0.014);
    assert.equal(new PriceBook({ models: config.models }).computeBaselineCost(usage(400, 600)), null);
  });
});
