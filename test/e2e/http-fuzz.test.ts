import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeUpstream } from '../support/fake-upstream.js';
import {
  type RandomHttpRequest,
  type RawOutcome,
  randomHttpRequest,
  sendRawRequest,
} from '../support/random-http-requests.js';
import {
  type GatewayProcess,
  readEventLoopDelay,
  startGatewayProcess,
} from '../support/start-gateway-process.js';

const CASES = 10_000;
const CONCURRENCY = 64;
const REQUEST_TIMEOUT_MS = 1_000;
/** An answer or a close must come within the request timeout, plus the time Node's check takes to notice. */
const DEADLINE_MS = REQUEST_TIMEOUT_MS + 4_000;

describe(`${CASES} random HTTP requests`, () => {
  let upstream: FakeUpstream;
  let gateway: GatewayProcess;

  before(async () => {
    upstream = await FakeUpstream.start();
    gateway = await startGatewayProcess(`models:
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
routing: { default: cloud }
server: { requestTimeoutMs: ${REQUEST_TIMEOUT_MS}, bodyLimitBytes: 65536 }
storage: { sqlite: { path: "{database}" } }
logging: { level: warn }
`);
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('get no 500, no crash and no hang, and the gateway serves on', async (t) => {
    const port = Number(new URL(gateway.url).port);
    const cases = fc.sample(randomHttpRequest, { numRuns: CASES, seed: 23 });
    await readEventLoopDelay(gateway.url);
    const outcomes: RawOutcome[] = new Array(cases.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < cases.length; index = next++) {
        outcomes[index] = await sendRawRequest(port, cases[index] as RandomHttpRequest, DEADLINE_MS);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const delay = await readEventLoopDelay(gateway.url);

    const statuses = new Map<number, number>();
    for (const outcome of outcomes) {
      for (const status of outcome.statuses) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const closedUnanswered = outcomes.filter((outcome) => outcome.settled && outcome.statuses.length === 0);
    t.diagnostic(
      `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; closed without an answer ${closedUnanswered.length}; event-loop delay p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms`,
    );
    const describeCase = (index: number) =>
      JSON.stringify((cases[index] as RandomHttpRequest).bytes.subarray(0, 300).toString('latin1'));
    const hung = outcomes.flatMap((outcome, index) => (outcome.settled ? [] : [describeCase(index)]));
    const failed = outcomes.flatMap((outcome, index) =>
      outcome.statuses.some((status) => status >= 500)
        ? [`${outcome.statuses} for ${describeCase(index)}`]
        : [],
    );
    assert.deepEqual(hung.slice(0, 5), [], `${hung.length} hung`);
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} got a 5xx`);

    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Still there?' }] }),
    });
    assert.equal(response.status, 200);
    assert.equal(await gateway.stop(), 0, 'exited cleanly: it never crashed');
  });
});
