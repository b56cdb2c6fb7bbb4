import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSoak } from '../../bench/gateway/soak-run.js';

/** CI runs a minute; a local `npm test` a short version of the same (`npm run soak:gateway` runs half an hour). */
const SECONDS = Number(process.env.SOAK_TEST_SECONDS ?? (process.env.CI ? 60 : 15));
const RATE = 50;

describe(`a ${SECONDS}-second soak`, () => {
  it(`holds ${RATE} requests/s with upstream faults and client aborts: well-formed answers, each accepted request logged once, descriptors back`, async (t) => {
    const result = await runSoak({
      seconds: SECONDS,
      rate: RATE,
      faultRate: 0.05,
      sampleSeconds: 5,
      pin: false,
    });
    const { counts } = result;
    t.diagnostic(JSON.stringify({ counts, logRowsByStatus: result.logRowsByStatus, drift: result.drift }));
    for (const sample of result.samples) {
      t.diagnostic(
        `${sample.second} s: RSS ${sample.rssMb} MB, heap ${sample.heapUsedMb} MB, event-loop delay p99 ${sample.loopDelayP99Ms} / max ${sample.loopDelayMaxMs} ms (${sample.cpuWaitMs} ms waiting for a CPU), ${sample.fds} descriptors, load ${sample.loadAverage.toFixed(2)}`,
      );
    }
    assert.equal(counts.sent, SECONDS * RATE);
    assert.equal(counts.transportError, 0);
    assert.equal(counts.malformed, 0);
    assert.equal(counts.accepted, counts.sent);
    assert.equal(
      counts.ok + counts.wellFormedError + counts.clientAborted + counts.leftAfterEnd,
      counts.accepted,
    );
    assert.equal(counts.clientAborted + counts.leftAfterEnd, counts.sent / 10);
    // Exactly once each: not one accepted request lost, none written twice.
    assert.equal(result.logRows, counts.accepted);
    assert.equal(result.fdsAtEnd, result.fdsAtStart);
  });
});
