import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeShadow } from './summarize-shadow.js';

describe('summarizeShadow', () => {
  it('reports agreement, its interval and the savings per pair', () => {
    const report = summarizeShadow(
      [
        {
          from: 'cloud',
          to: 'local',
          route: 'cloud',
          taskType: 'faq',
          pairs: 12,
          scored: 10,
          agreed: 8,
          primaryCostUsd: 0.5,
          shadowCostUsd: 0.1,
        },
      ],
      [],
      Date.UTC(2026, 11, 5),
    );
    assert.deepEqual(report.rows[0]?.agreement, 0.8);
    assert.deepEqual(report.rows[0]?.interval, { low: 0.4902, high: 0.9433 });
    assert.equal(report.rows[0]?.savingsUsd, 0.4);
  });
});
