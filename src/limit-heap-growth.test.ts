import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitHeapGrowth } from './limit-heap-growth.js';

describe('limitHeapGrowth', () => {
  it('leaves a growth factor given on the command line or in NODE_OPTIONS alone', () => {
    assert.equal(limitHeapGrowth(100, ['--heap-growing-percent=300'], ''), false);
    assert.equal(limitHeapGrowth(100, [], '--max-old-space-size=512 --heap_growing_percent=40'), false);
  });

  it('applies the cap otherwise', () => {
    assert.equal(limitHeapGrowth(100, ['--enable-source-maps'], '--max-old-space-size=512'), true);
  });
});
