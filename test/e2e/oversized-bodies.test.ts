import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FakeUpstream } from '../support/fake-upstream.js';
import {
  countRowsByStatus,
  type GatewayProcess,
  readEventLoopDelay,
  startGatewayProcess,
} from '../support/start-gateway-process.js';

/** `server.bodyLimitBytes`' default: the limit a new user meets. */
const LIMIT = 4 * 1024 * 1024;
const ROUNDS = 3;

/** A JSON chat body of about `bytes` bytes, valid but for its size. */
function createBody(bytes: number): Buffer {
  const head = '{"model":"auto","messages":[{"role":"user","content":"';
  const tail = '"}]}';
  return Buffer.from(head + 'a'.repeat(bytes - head.length - tail.length) + tail);
}

/** The same bytes as a stream, so fetch sends them chunked, without a Content-Length. */
function streamOf(body: Buffer): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= body.length) controller.close();
      else {
        controller.enqueue(body.subarray(offset, offset + 64 * 1024));
        offset += 64 * 1024;
      }
    },
  });
}

function assertTooLarge(status: number, text: string): void {
  assert.equal(status, 413, text.slice(0, 200));
  assert.deepEqual(JSON.parse(text), {
    error: {
      message: `Request body is larger than the limit of ${LIMIT} bytes (server.bodyLimitBytes).`,
      type: 'invalid_request_error',
      code: 'payload_too_large',
      param: null,
    },
  });
}

describe('a request body over server.bodyLimitBytes', () => {
  let upstream: FakeUpstream;
  let gateway: GatewayProcess;
  let refused = 0;

  before(async () => {
    upstream = await FakeUpstream.start();
    gateway = await startGatewayProcess(`models:
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
routing: { default: cloud }
storage: { sqlite: { path: "{database}" } }
logging: { level: warn }
`);
    await readEventLoopDelay(gateway.url);
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  for (const times of [2, 16]) {
    it(`answers fetch a 413 at ${times}× the limit, with a Content-Length or chunked`, async () => {
      const body = createBody(times * LIMIT);
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const chunked of [false, true]) {
          const response = await fetch(`${gateway.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: chunked ? streamOf(body) : body,
            ...(chunked ? { duplex: 'half' } : {}),
          } as RequestInit);
          assertTooLarge(response.status, await response.text());
          refused += 1;
        }
      }
    });

    it(`surfaces a 413 APIError in the openai SDK at ${times}× the limit, which does not retry it`, async () => {
      let calls = 0;
      const client = new OpenAI({
        baseURL: `${gateway.url}/v1`,
        apiKey: 'unused',
        maxRetries: 2,
        fetch: (input, init) => {
          calls += 1;
          return fetch(input, init);
        },
      });
      for (let round = 0; round < ROUNDS; round += 1) {
        const error = await client.chat.completions
          .create({ model: 'auto', messages: [{ role: 'user', content: 'a'.repeat(times * LIMIT) }] })
          .catch((caught: unknown) => caught);
        assert.ok(error instanceof OpenAI.APIError, String(error));
        assert.ok(!(error instanceof OpenAI.APIConnectionError), String(error));
        assert.equal(error.status, 413);
        assert.equal(error.code, 'payload_too_large');
        refused += 1;
      }
      assert.equal(calls, ROUNDS, 'one upload per request: the SDK retried nothing');
    });
  }

  it('still serves, never called the upstream for a refused body, and logged each 413 once', async (t) => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(response.status, 200);
    await response.text();
    const delay = await readEventLoopDelay(gateway.url);
    t.diagnostic(`event-loop delay while refusing: p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms`);
    assert.equal(upstream.requests.length, 1);
    assert.equal(await gateway.stop(), 0);
    const rows = countRowsByStatus(gateway.database);
    assert.deepEqual([...rows.entries()].sort(), [
      [200, 1],
      [413, refused],
    ]);
  });
});
