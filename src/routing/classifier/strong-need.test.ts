import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeStrongNeed } from './strong-need.js';

describe('computeStrongNeed', () => {
  it('is the expected gain of a strong call, rescaled to 0..1', () => {
    const labels = ['both-right', 'both-wrong', 'strong-only', 'weak-only'];
    assert.equal(computeStrongNeed(labels, [0.5, 0.1, 0.4, 0]), 0.7);
    assert.equal(computeStrongNeed(labels, [0.5, 0.1, 0.2, 0.2]), 0.5);
    assert.equal(computeStrongNeed(labels, [0, 0, 0, 1]), 0);
  });
});
