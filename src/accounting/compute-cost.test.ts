import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Usage } from '../contract/index.js';
import { findBuiltInPrice } from './built-in-prices.js';
import { computeCost, computeHourlyCost } from './compute-cost.js';

function usage(parts: Partial<Usage>): Usage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    source: 'upstream',
    ...parts,
  };
}

describe('computeCost', () => {
  it('prices 1M requests of 400 input + 600 output tokens at $5/$20 per million at $14,000', () => {
    const perRequest = computeCost(usage({ inputTokens: 400, outputTokens: 600 }), {
      inputPerMillion: 5,
      outputPerMillion: 20,
    });
    assert.equal(perRequest, 0.014);
    assert.equal(Math.round(perRequest * 1_000_000 * 100) / 100, 14_000);
    // Half the volume is half the invoice: $7,000, not the $42,000 a widely shared case study prints.
    assert.equal(Math.round(perRequest * 500_000 * 100) / 100, 7_000);
  });

  it('bills OpenAI cached prompt tokens at the cached rate (gpt-4o: 1117 in, 1024 cached, 46 out)', () => {
    const price = findBuiltInPrice('gpt-4o-2024-08-06');
    assert.ok(price);
    const cost = computeCost(usage({ inputTokens: 1117, cachedInputTokens: 1024, outputTokens: 46 }), price);
    // 93 × 2.50 + 1024 × 1.25 + 46 × 10 = 232.5 + 1280 + 460 = 1972.5 micro-dollars.
    assert.equal(cost, 0.0019725);
  });

  it('bills Anthropic cache writes at the write premium and reads at the read rate', () => {
    const price = findBuiltInPrice('claude-sonnet-4-20250514');
    assert.ok(price);
    const cost = computeCost(
      usage({
        inputTokens: 2520 + 500,
        cacheWriteInputTokens: 2048,
        cachedInputTokens: 500,
        outputTokens: 89,
      }),
      price,
    );
    // 472 × 3 + 500 × 0.30 + 2048 × 3.75 + 89 × 15 = 1416 + 150 + 7680 + 1335 = 10581 micro-dollars.
    assert.equal(cost, 0.010581);
  });

  it('bills reasoning tokens once, at the reasoning rate when one is set', () => {
    const reasoning = usage({ inputTokens: 31, outputTokens: 1330, reasoningTokens: 1280 });
    assert.equal(
      computeCost(reasoning, { inputPerMillion: 15, outputPerMillion: 60 }),
      (31 * 15 + 1330 * 60) / 1e6,
    );
    assert.equal(
      computeCost(reasoning, { inputPerMillion: 15, outputPerMillion: 60, reasoningPerMillion: 30 }),
      (31 * 15 + 50 * 60 + 1280 * 30) / 1e6,
    );
  });

  it('never bills more cached tokens than there were input tokens', () => {
    const cost = computeCost(usage({ inputTokens: 10, cachedInputTokens: 50 }), {
      inputPerMillion: 1,
      outputPerMillion: 1,
      cachedInputPerMillion: 0.5,
    });
    assert.equal(cost, (10 * 0.5) / 1e6);
  });

  it('spreads an hourly cost over busy time', () => {
    assert.equal(computeHourlyCost(90_000, 2.4), 0.06);
  });
});

describe('findBuiltInPrice', () => {
  it('matches dated snapshots to their model, and not other variants', () => {
    assert.equal(findBuiltInPrice('gpt-4o-mini-2024-07-18')?.inputPerMillion, 0.15);
    assert.equal(findBuiltInPrice('gpt-4o')?.inputPerMillion, 2.5);
    assert.equal(findBuiltInPrice('claude-3-5-haiku-latest')?.outputPerMillion, 4);
    assert.equal(findBuiltInPrice('gpt-4o-audio-preview'), undefined);
    assert.equal(findBuiltInPrice('my-local-model'), undefined);
  });
});
