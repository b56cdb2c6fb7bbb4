import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeWilsonInterval } from './wilson-interval.js';

describe('computeWilsonInterval', () => {
  it('gives the textbook interval of known cases, and none without trials', () => {
    // 8 of 10: 0.490 to 0.943 (Wilson 1927; Newcombe 1998, table I).
    const eight = computeWilsonInterval(8, 10);
    assert.deepEqual([eight?.low.toFixed(3), eight?.high.toFixed(3)], ['0.490', '0.943']);
    // 0 of 10 and 10 of 10 stay inside [0, 1], where the normal approximation would not.
    assert.ok(Math.abs(computeWilsonInterval(0, 10)?.low as number) < 1e-12);
    assert.ok(Math.abs((computeWilsonInterval(10, 10)?.high as number) - 1) < 1e-12);
    // 0 of 10: the upper end is z²/(n + z²), 0.278.
    assert.equal(computeWilsonInterval(0, 10)?.high.toFixed(3), '0.278');
    assert.equal(computeWilsonInterval(0, 0), null);
  });
});
