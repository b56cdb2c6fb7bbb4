import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type HostileUpstream, startHostileUpstream } from '../support/hostile-upstream.js';
import {
  type GatewayProcess,
  readEventLoopDelay,
  readRssMb,
  startGatewayProcess,
} from '../support/start-gateway-process.js';

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_EVENT_BYTES = 256 * 1024;
const IDLE_MS = 1_000;
/** The total time of the model that streams only comments (the others are ended by other limits first). */
const TOTAL_MS = 2_000;

/** One model per misbehaviour (the hostile upstream reads its part from the model id), each falling back to `good`. */
const HOSTILE = ['huge_json', 'huge_line', 'endless', 'endless_comments', 'stall'] as const;
const MODEL_IDS: Record<(typeof HOSTILE)[number], string> = {
  huge_json: 'huge-json-8',
  huge_line: 'huge-line-50',
  endless: 'endless',
  endless_comments: 'endless-comments',
  stall: 'stall',
};

interface Exchange {
  status: number;
  model: string | null;
  text: string;
  id: string;
}

async function ask(url: string, model: string, stream: boolean): Promise<Exchange> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Hi' }] }),
  });
  return {
    status: response.status,
    model: response.headers.get('x-switchyard-model'),
    text: await response.text(),
    id: response.headers.get('x-request-id') as string,
  };
}

/** The `data:` payloads of an SSE body. */
const events = (text: string) =>
  text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));

/** The answer text a stream carried, its deltas joined. */
const contentOf = (text: string) =>
  events(text)
    .filter((event) => event !== '[DONE]')
    .map(
      (event) =>
        (JSON.parse(event) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta
          ?.content ?? '',
    )
    .join('');

describe('upstream answers too large or too slow', () => {
  let upstream: HostileUpstream;
  let gateway: GatewayProcess;
  const attemptsOf = new Map<string, { model: string; status: string; code: string | null }[]>();

  before(async () => {
    upstream = await startHostileUpstream();
    const models = HOSTILE.map(
      (name) =>
        `  ${name}: { provider: openai-compatible, baseUrl: "${upstream.baseUrl}", model: ${MODEL_IDS[name]}, timeouts: { idleMs: ${IDLE_MS}, totalMs: ${name === 'endless_comments' ? TOTAL_MS : 60_000}, maxResponseBytes: ${MAX_RESPONSE_BYTES}, maxEventBytes: ${MAX_EVENT_BYTES} } }`,
    ).join('\n');
    gateway = await startGatewayProcess(`models:
${models}
  good: { provider: openai-compatible, baseUrl: "${upstream.baseUrl}", model: gpt-4o-mini }
routing:
  default: good
  fallbacks: { ${HOSTILE.map((name) => `${name}: [good]`).join(', ')} }
  retries: { maxRetries: 1, initialBackoffMs: 1, maxBackoffMs: 2 }
  circuitBreaker: { failureThreshold: 1000 }
storage: { sqlite: { path: "{database}" }, flushIntervalMs: 50 }
logging: { level: warn }
`);
    await readEventLoopDelay(gateway.url);
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const exchanges = new Map<string, Exchange>();

  it('falls back when a JSON answer is over maxResponseBytes', async () => {
    const exchange = await ask(gateway.url, 'huge_json', false);
    exchanges.set('huge_json', exchange);
    assert.equal(exchange.status, 200);
    assert.equal(exchange.model, 'good');
    assert.equal(
      (JSON.parse(exchange.text) as { choices: { message: { content: string } }[] }).choices[0]?.message
        .content,
      'Hello.',
    );
  });

  it('falls back, in bounded memory, when the first streamed line is 50 MB', async (t) => {
    const rssBefore = readRssMb(gateway.pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, readRssMb(gateway.pid));
    }, 10);
    const exchange = await ask(gateway.url, 'huge_line', true);
    clearInterval(sampler);
    exchanges.set('huge_line', exchange);
    const sent = upstream.requests.filter((request) => request.model === MODEL_IDS.huge_line);
    t.diagnostic(
      `RSS ${rssBefore} MB before, ${rssPeak} MB at most; the gateway took ${sent.map((request) => request.bytesSent).join(' and ')} bytes of the 50 MB line`,
    );
    // The stream's head went out when the first attempt was accepted; the fallback's tokens follow.
    assert.equal(exchange.status, 200);
    assert.equal(contentOf(exchange.text), 'Hello from the good one.');
    assert.equal(events(exchange.text).at(-1), '[DONE]');
  });

  it('falls back when a stream sends nothing but comments until its total time is up', async () => {
    const exchange = await ask(gateway.url, 'endless_comments', true);
    exchanges.set('endless_comments', exchange);
    assert.equal(exchange.status, 200);
    assert.equal(contentOf(exchange.text), 'Hello from the good one.');
  });

  it('ends an endless stream that already answered with one clean error event', async () => {
    const exchange = await ask(gateway.url, 'endless', true);
    exchanges.set('endless', exchange);
    const data = events(exchange.text);
    assert.ok(data.length > 10);
    assert.equal(JSON.parse(data.at(-1) as string).error.code, 'upstream_response_too_large');
    assert.ok(!data.includes('[DONE]'));
  });

  it('ends a stream that stalls after its first token with one clean error event', async () => {
    const exchange = await ask(gateway.url, 'stall', true);
    exchanges.set('stall', exchange);
    const data = events(exchange.text).map((event) => JSON.parse(event));
    assert.equal(data.at(-2).choices[0].delta.content, 'Once');
    assert.equal(data.at(-1).error.code, 'upstream_timeout');
  });

  it('logged each request once, with the retryable upstream error of every attempt', async (t) => {
    const delay = await readEventLoopDelay(gateway.url);
    t.diagnostic(`event-loop delay through these cases: p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms`);
    // Every hostile call was ended by the gateway, not by the upstream.
    const ended = await Promise.all(
      upstream.requests.filter((request) => request.model !== 'gpt-4o-mini').map((request) => request.ended),
    );
    assert.ok(ended.every((end) => end.aborted));
    assert.equal(await gateway.stop(), 0);
    const rows = new Database(gateway.database, { readonly: true });
    const attempts = rows.prepare(
      'SELECT model, status, error_code AS code FROM attempts WHERE request_id = ? ORDER BY attempt_index',
    );
    for (const [name, exchange] of exchanges) attemptsOf.set(name, attempts.all(exchange.id) as never);
    const requests = (rows.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n;
    rows.close();
    assert.equal(requests, exchanges.size);
    const failedTwice = (name: string, code: string) => [
      { model: name, status: 'error', code },
      { model: name, status: 'error', code },
    ];
    assert.deepEqual(Object.fromEntries(attemptsOf), {
      huge_json: [
        ...failedTwice('huge_json', 'upstream_response_too_large'),
        { model: 'good', status: 'ok', code: null },
      ],
      huge_line: [
        ...failedTwice('huge_line', 'upstream_event_too_large'),
        { model: 'good', status: 'ok', code: null },
      ],
      endless_comments: [
        ...failedTwice('endless_comments', 'upstream_timeout'),
        { model: 'good', status: 'ok', code: null },
      ],
      endless: [{ model: 'endless', status: 'error', code: 'upstream_response_too_large' }],
      stall: [{ model: 'stall', status: 'error', code: 'upstream_timeout' }],
    });
  });
});
