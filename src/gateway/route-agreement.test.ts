import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type ChatExchange, postChat } from '../../test/support/chat-client.js';
import { createOpenAIAnswer, type FakeReply, type FakeUpstream } from '../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

type Row = Record<string, unknown>;

const failure = (status: number): FakeReply => ({
  status,
  json: { error: { message: `scripted ${status}` } },
});
const chunk = (content: string) =>
  JSON.stringify({
    id: 'c',
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });

/** Counter series of Prometheus text, keyed `name{labels}`. */
function readCounters(text: string): Map<string, number> {
  const counters = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const space = line.lastIndexOf(' ');
    counters.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return counters;
}

/** The series that grew between two scrapes, with how much. */
function diffCounters(
  before: Map<string, number>,
  after: Map<string, number>,
  prefix: string,
): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!key.startsWith(prefix)) continue;
    const delta = value - (before.get(key) ?? 0);
    if (delta > 0) grown[key] = delta;
  }
  return grown;
}

interface PathCase {
  name: string;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  script(gateway: TestGateway): void;
  abortAfterEvents?: number;
  /** The reason sentence the client and the log must both carry. */
  reason: string | RegExp;
  /** What the row must say besides. */
  row: { status: number; route: string; final_model: string | null; rule: string };
  /** Counter series that must grow by one (the metric view of the same facts). */
  metrics: string[];
}

const upstream = (gateway: TestGateway, name: string) => gateway.upstreams[name] as FakeUpstream;
const ask = (content: string) => [{ role: 'user', content }];

const CASES: PathCase[] = [
  {
    name: 'routed by a rule',
    body: { model: 'auto', messages: ask('Write a Python function that reverses a string') },
    script: () => {},
    reason: 'Routed to cloud by code-to-cloud: task type is code.',
    row: { status: 200, route: 'cloud', final_model: 'cloud', rule: 'code-to-cloud' },
    metrics: ['switchyard_requests_total{route="cloud",model="cloud",reason="rule",status="200"}'],
  },
  {
    name: 'forced by model name',
    body: { model: 'cloud', messages: ask('Hello') },
    script: () => {},
    reason: "The request named model 'cloud'.",
    row: { status: 200, route: 'cloud', final_model: 'cloud', rule: 'forced' },
    metrics: ['switchyard_requests_total{route="cloud",model="cloud",reason="forced",status="200"}'],
  },
  {
    name: 'a fallback after the target failed',
    body: { model: 'flaky', messages: ask('Hello') },
    script: (gateway) => upstream(gateway, 'flaky').replyWith(failure(503)),
    reason: 'Fell back from flaky to cloud: upstream_error.',
    row: { status: 200, route: 'flaky', final_model: 'cloud', rule: 'forced' },
    metrics: [
      'switchyard_requests_total{route="flaky",model="cloud",reason="fallback",status="200"}',
      'switchyard_fallbacks_total{from="flaky",to="cloud",reason="upstream_error"}',
    ],
  },
  {
    name: 'a fallback past an open circuit',
    body: { model: 'broken', messages: ask('Hello') },
    script: () => {},
    reason: 'Fell back from broken to cloud: circuit_open.',
    row: { status: 200, route: 'broken', final_model: 'cloud', rule: 'forced' },
    metrics: [
      'switchyard_requests_total{route="broken",model="cloud",reason="fallback",status="200"}',
      'switchyard_fallbacks_total{from="broken",to="cloud",reason="circuit_open"}',
    ],
  },
  {
    name: 'an escalation on low confidence',
    body: { model: 'auto', messages: ask('Where is my parcel?') },
    script: (gateway) =>
      upstream(gateway, 'local').replyWith(createOpenAIAnswer({ content: 'Hmm', tokenProbabilities: [0.1] })),
    reason: /^Escalated from local to cloud: mean token probability 0\.10 is below 0\.6\.$/,
    row: { status: 200, route: 'local', final_model: 'cloud', rule: 'default' },
    metrics: [
      'switchyard_requests_total{route="local",model="cloud",reason="escalated",status="200"}',
      'switchyard_escalations_total{from="local",to="cloud",reason="low_confidence"}',
    ],
  },
  {
    name: 'every target failing',
    body: { model: 'flaky', messages: ask('Hello') },
    script: (gateway) => {
      upstream(gateway, 'flaky').replyWith(failure(503));
      upstream(gateway, 'cloud').replyWith(failure(500));
    },
    reason: "The request named model 'flaky'.",
    row: { status: 502, route: 'flaky', final_model: null, rule: 'forced' },
    metrics: ['switchyard_requests_total{route="flaky",model="none",reason="forced",status="502"}'],
  },
  {
    name: 'a client that leaves a stream',
    body: { model: 'cloud', stream: true, messages: ask('Hello') },
    script: (gateway) =>
      upstream(gateway, 'cloud').replyWith({
        sse: [chunk('Hello'), chunk(' again')],
        holdAfterFirstEvent: new Promise(() => {}),
      }),
    abortAfterEvents: 2,
    reason: "The request named model 'cloud'.",
    row: { status: 499, route: 'cloud', final_model: null, rule: 'forced' },
    metrics: ['switchyard_requests_total{route="cloud",model="none",reason="forced",status="499"}'],
  },
  {
    name: 'a stream the upstream cuts',
    body: { model: 'cloud', stream: true, messages: ask('Hello') },
    script: (gateway) =>
      upstream(gateway, 'cloud').replyWith({ sse: [chunk('Hello')], destroyAfterSse: true }),
    reason: "The request named model 'cloud'.",
    row: { status: 200, route: 'cloud', final_model: 'cloud', rule: 'forced' },
    metrics: ['switchyard_requests_total{route="cloud",model="cloud",reason="forced",status="200"}'],
  },
];

const directory = mkdtempSync(join(tmpdir(), 'switchyard-agreement-'));
after(() => rmSync(directory, { recursive: true, force: true }));

async function readRow(gateway: TestGateway, id: string): Promise<Row> {
  for (let waited = 0; ; waited += 20) {
    await gateway.requestLog?.flush();
    const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
    const row = database.prepare('SELECT * FROM requests WHERE id = ?').get(id) as Row | undefined;
    database.close();
    if (row) return row;
    if (waited > 5_000) throw new Error(`no row for request ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The reason the client saw: a stream's trailer when it has one (it tells how the stream ended). */
function readClientReason(exchange: ChatExchange): string {
  return (exchange.trailers['x-switchyard-route-reason'] ??
    exchange.headers['x-switchyard-route-reason']) as string;
}

describe('the header, the log row and the metrics tell one story', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      upstreams: ['local', 'cloud', 'flaky', 'broken'],
      listen: true,
      requestLogPath: join(directory, 'agreement.db'),
      config: (urls) => ({
        models: {
          local: { provider: 'openai-compatible', baseUrl: urls.local as string, model: 'qwen', local: true },
          cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
          flaky: { provider: 'openai-compatible', baseUrl: urls.flaky as string, model: 'gpt-4o' },
          broken: { provider: 'openai-compatible', baseUrl: urls.broken as string, model: 'gpt-4o' },
        },
        routing: {
          default: 'local',
          rules: [{ name: 'code-to-cloud', when: { taskType: 'code' }, then: 'cloud' }],
          escalation: { from: 'local', to: 'cloud', minConfidence: 0.6 },
          fallbacks: { flaky: ['cloud'], broken: ['cloud'] },
          retries: { maxRetries: 0 },
          circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 },
        },
        storage: { flushIntervalMs: 10 },
      }),
    });
    // Opens broken's circuit: its next requests skip it.
    for (let index = 0; index < 3; index += 1) {
      upstream(gateway, 'broken').replyWith(failure(503));
      await postChat(gateway.url, { model: 'broken', messages: ask('Hello') });
    }
  });
  after(() => gateway.close());

  for (const testCase of CASES) {
    it(`agree on ${testCase.name}`, async () => {
      testCase.script(gateway);
      const before = readCounters(await (await fetch(`${gateway.url}/metrics`)).text());
      const exchange = await postChat(gateway.url, testCase.body, {
        ...(testCase.abortAfterEvents ? { abortAfterEvents: testCase.abortAfterEvents } : {}),
        ...(testCase.headers ? { headers: testCase.headers } : {}),
      });
      const row = await readRow(gateway, exchange.headers['x-request-id'] as string);
      const after = readCounters(await (await fetch(`${gateway.url}/metrics`)).text());

      const clientReason = readClientReason(exchange);
      if (typeof testCase.reason === 'string') assert.equal(clientReason, testCase.reason);
      else assert.match(clientReason, testCase.reason);
      assert.equal(row.reason, clientReason, 'the logged reason is the one the client got');
      assert.deepEqual(
        { status: row.status, route: row.route, final_model: row.final_model, rule: row.rule },
        testCase.row,
      );
      if (row.final_model !== null)
        assert.equal(
          exchange.trailers['x-switchyard-model'] ?? exchange.headers['x-switchyard-model'],
          row.final_model,
        );
      const grown = {
        ...diffCounters(before, after, 'switchyard_requests_total{'),
        ...diffCounters(before, after, 'switchyard_fallbacks_total{'),
        ...diffCounters(before, after, 'switchyard_escalations_total{'),
      };
      assert.deepEqual(grown, Object.fromEntries(testCase.metrics.map((series) => [series, 1])));
    });
  }
});
