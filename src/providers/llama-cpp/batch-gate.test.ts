import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchItem } from 'node-llama-cpp';
import { BatchGate, shareBatch } from './batch-gate.js';

const item = (tokens: number, evaluationPriority: BatchItem['evaluationPriority'] = 5): BatchItem => ({
  tokens: Array.from({ length: tokens }, (_, index) => index) as unknown as BatchItem['tokens'],
  logits: [],
  evaluationPriority,
});

describe('BatchGate', () => {
  it('gives each decoding sequence its token and the rest of the batch to prompts', () => {
    const decoding = [item(1), item(1)];
    const prompt = item(600);
    const shares = shareBatch([...decoding, prompt], 512);
    assert.deepEqual(
      shares.map((share) => share.processAmount),
      [1, 1, 510],
    );
    assert.equal(shares[2]?.item, prompt, 'the original item, by reference');
    const crowded = shareBatch([item(300, 1), item(300, 5)], 512);
    assert.deepEqual(
      crowded.map((share) => share.processAmount),
      [256, 256],
    );
    assert.ok(shareBatch([item(400, 1), item(400, 5)], 512)[1]!.processAmount === 256);
  });

  it('holds a batch until every generating sequence has queued, then releases it whole', () => {
    const gate = new BatchGate(60_000);
    const first = { nextTokenIndex: 0 };
    const leaveFirst = gate.join(first);
    gate.join({ nextTokenIndex: 40 });
    assert.equal(gate.strategy({ items: [item(1)], size: 512 }).length, 1, 'a prompt not yet evaluated');
    first.nextTokenIndex = 30;
    assert.deepEqual(gate.strategy({ items: [item(1)], size: 512 }), [], 'one of two queued: held');
    assert.equal(gate.strategy({ items: [item(1), item(1)], size: 512 }).length, 2);
    leaveFirst();
    leaveFirst();
    assert.equal(
      gate.strategy({ items: [item(1)], size: 512 }).length,
      1,
      'a finished one is not waited for',
    );
    assert.deepEqual(gate.released, { full: 3, timedOut: 0, shared: 1 });
  });

  it('releases what is queued once the wait has run out', () => {
    const gate = new BatchGate(0);
    gate.join({ nextTokenIndex: 1 });
    gate.join({ nextTokenIndex: 1 });
    assert.equal(gate.strategy({ items: [item(1)], size: 512 }).length, 1);
    assert.deepEqual(gate.released, { full: 0, timedOut: 1, shared: 0 });
  });
});
