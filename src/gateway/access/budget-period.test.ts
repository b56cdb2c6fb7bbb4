import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findBudgetPeriod } from './budget-period.js';

describe('findBudgetPeriod', () => {
  it('gives the UTC calendar day and month a time falls in', () => {
    const now = Date.UTC(2026, 11, 31, 23, 59, 59, 999);
    assert.deepEqual(findBudgetPeriod('day', now), {
      start: Date.UTC(2026, 11, 31),
      end: Date.UTC(2027, 0, 1),
    });
    assert.deepEqual(findBudgetPeriod('month', now), {
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
  });

  it('starts a new period on its first millisecond, February included', () => {
    const march = Date.UTC(2028, 2, 1);
    assert.equal(findBudgetPeriod('month', march).start, march);
    assert.deepEqual(findBudgetPeriod('month', march - 1), { start: Date.UTC(2028, 1, 1), end: march });
  });
});
