import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeRoi } from './compute-roi.js';

const price = { inputPerMillion: 5, outputPerMillion: 20 };

describe('computeRoi', () => {
  it('prices 1M requests of 400 + 600 tokens at $5/$20 at $14,000 a month, and 500k at $7,000', () => {
    const base = {
      inputTokensPerRequest: 400,
      outputTokensPerRequest: 600,
      llmPrice: price,
      slmShare: 0,
      slmMonthlyUsd: 0,
      capexUsd: 0,
    };
    assert.equal(computeRoi({ ...base, requestsPerMonth: 1_000_000 }).llmOnlyMonthlyUsd, 14_000);
    // Not the $42,000 a widely shared case study prints for this volume.
    assert.equal(computeRoi({ ...base, requestsPerMonth: 500_000 }).llmOnlyMonthlyUsd, 7_000);
  });

  it('computes hybrid cost, savings, payback and break-even by the documented formulas', () => {
    const report = computeRoi({
      requestsPerMonth: 1_000_000,
      inputTokensPerRequest: 400,
      outputTokensPerRequest: 600,
      llmPrice: price,
      slmShare: 0.7,
      slmMonthlyUsd: 1_460, // a $2/hour GPU, always on
      capexUsd: 12_000,
    });
    // 30% of $14,000 stays on the LLM: $4,200, plus $1,460 for the SLM.
    assert.equal(report.hybridMonthlyUsd, 5_660);
    assert.equal(report.monthlySavingsUsd, 8_340);
    assert.equal(report.savingsPct, 59.57);
    assert.equal(report.paybackMonths, 1.44);
    // $1,460 / (0.7 × $0.014) = 148,979.6 → 148,980 requests a month.
    assert.equal(report.breakEvenRequestsPerMonth, 148_980);
  });

  it('has no payback when the small model costs more than it saves', () => {
    const report = computeRoi({
      requestsPerMonth: 1_000,
      inputTokensPerRequest: 400,
      outputTokensPerRequest: 600,
      llmPrice: price,
      slmShare: 0.5,
      slmMonthlyUsd: 500,
      capexUsd: 1_000,
    });
    assert.ok(report.monthlySavingsUsd < 0);
    assert.equal(report.paybackMonths, null);
  });
});
