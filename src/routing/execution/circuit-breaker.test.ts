import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from './circuit-breaker.js';

function createBreaker() {
  let now = 1_000;
  const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 500 }, () => now);
  return { breaker, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, not before', () => {
    const { breaker } = createBreaker();
    breaker.recordFailure();
    breaker.recordFailure();
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.tryAcquire(), true);
    breaker.recordFailure();
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.tryAcquire(), false);
    assert.equal(breaker.retryAfterMs, 500);
  });

  it('forgets failures after a success', () => {
    const { breaker } = createBreaker();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    assert.equal(breaker.state, 'closed');
  });

  it('lets exactly one probe through after the cool-down; its success closes the circuit', () => {
    const { breaker, advance } = createBreaker();
    for (let index = 0; index < 3; index += 1) breaker.recordFailure();
    advance(499);
    assert.equal(breaker.tryAcquire(), false);
    advance(1);
    assert.equal(breaker.state, 'half-open');
    assert.equal(breaker.tryAcquire(), true);
    assert.equal(breaker.tryAcquire(), false, 'a second caller waits for the probe');
    breaker.recordSuccess();
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.tryAcquire(), true);
  });

  it('re-opens for a full cool-down when the probe fails', () => {
    const { breaker, advance } = createBreaker();
    for (let index = 0; index < 3; index += 1) breaker.recordFailure();
    advance(500);
    assert.equal(breaker.tryAcquire(), true);
    breaker.recordFailure();
    assert.equal(breaker.state, 'open');
    advance(499);
    assert.equal(breaker.state, 'open');
    advance(1);
    assert.equal(breaker.state, 'half-open');
  });

  it('frees the probe slot when the probe ends without a verdict', () => {
    const { breaker, advance } = createBreaker();
    for (let index = 0; index < 3; index += 1) breaker.recordFailure();
    advance(500);
    assert.equal(breaker.tryAcquire(), true);
    breaker.release();
    assert.equal(breaker.tryAcquire(), true);
  });
});
