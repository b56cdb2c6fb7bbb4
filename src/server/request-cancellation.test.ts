import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { ClientClosedError } from '../errors/index.js';
import { RequestCancellation } from './request-cancellation.js';

describe('RequestCancellation', () => {
  it('runs each listener once, in order, and not those removed', () => {
    const cancellation = new RequestCancellation();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    cancellation.addEventListener('abort', () => calls.push('first'));
    cancellation.addEventListener('abort', removed);
    cancellation.addEventListener('abort', () => calls.push('second'));
    cancellation.removeEventListener('abort', removed);
    assert.equal(cancellation.aborted, false);
    cancellation.abort();
    cancellation.abort();
    assert.deepEqual(calls, ['first', 'second']);
    assert.equal(cancellation.aborted, true);
    assert.ok(cancellation.reason instanceof ClientClosedError);
  });

  it('keeps the given reason, and ignores listeners added after the abort', () => {
    const cancellation = new RequestCancellation();
    const reason = new Error('gone');
    cancellation.abort(reason);
    let called = false;
    cancellation.addEventListener('abort', () => {
      called = true;
    });
    assert.equal(cancellation.reason, reason);
    assert.equal(called, false);
  });

  it('runs the other listeners when one throws, and reports the error as uncaught', async () => {
    const cancellation = new RequestCancellation();
    let ranAfter = false;
    cancellation.addEventListener('abort', () => {
      throw new Error('listener failed');
    });
    cancellation.addEventListener('abort', () => {
      ranAfter = true;
    });
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    const reported = once(process, 'uncaughtException');
    try {
      cancellation.abort();
      assert.equal(ranAfter, true);
      const [error] = (await reported) as [Error];
      assert.equal(error.message, 'listener failed');
    } finally {
      for (const listener of listeners) process.on('uncaughtException', listener);
    }
  });
});
