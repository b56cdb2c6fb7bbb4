import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BusyTimeMeter } from './busy-time-meter.js';

function createClock() {
  let now = 0;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('BusyTimeMeter', () => {
  it('charges a lone request its whole duration', () => {
    const clock = createClock();
    const meter = new BusyTimeMeter(clock.now);
    const handle = meter.start();
    clock.advance(1_000);
    assert.equal(handle.stop(), 1_000);
  });

  it('splits overlapping time between the requests that shared it, and charges idle time to nobody', () => {
    const clock = createClock();
    const meter = new BusyTimeMeter(clock.now);
    const first = meter.start();
    clock.advance(1_000); // first alone: 1000
    const second = meter.start();
    clock.advance(2_000); // both: 1000 each
    assert.equal(first.stop(), 2_000);
    clock.advance(500); // second alone: 500
    assert.equal(second.stop(), 1_500);
    clock.advance(10_000); // idle
    const third = meter.start();
    clock.advance(100);
    assert.equal(third.stop(), 100);
    // The shares add up to the busy wall time: 1000 + 2000 + 500 + 100.
    assert.equal(meter.busyMs, 3_600);
  });

  it('returns the same share when stopped twice', () => {
    const clock = createClock();
    const meter = new BusyTimeMeter(clock.now);
    const handle = meter.start();
    clock.advance(40);
    assert.equal(handle.stop(), 40);
    clock.advance(40);
    assert.equal(handle.stop(), 40);
  });
});
