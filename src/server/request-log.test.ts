import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createOpenAIAnswer, type FakeUpstream } from '../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

type Row = Record<string, unknown>;

const directory = mkdtempSync(join(tmpdir(), 'switchyard-rows-'));
after(() => rmSync(directory, { recursive: true, force: true }));

async function startGateway(file: string, content: 'none' | 'redacted' | 'full', logLines?: string[]) {
  return startTestGateway({
    ...(logLines ? { logLines } : {}),
    upstreams: ['local', 'cloud'],
    listen: true,
    requestLogPath: join(directory, file),
    config: (urls) => ({
      models: {
        local: { provider: 'openai-compatible', baseUrl: urls.local as string, model: 'qwen', local: true },
        cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
        // Never called: its price gives the counterfactual cost of an all-LLM deployment.
        gpt4o: { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', model: 'gpt-4o' },
      },
      routing: {
        default: 'local',
        rules: [{ name: 'code-to-cloud', when: { taskType: 'code' }, then: 'cloud' }],
        escalation: { from: 'local', to: 'cloud', minConfidence: 0.5 },
        fallbacks: { cloud: ['local'] },
        retries: { maxRetries: 0 },
        baseline: 'gpt4o',
      },
      storage: { content, flushIntervalMs: 20 },
    }),
  });
}

async function post(
  gateway: TestGateway,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { response, text: await response.text() };
}

function readRows(gateway: TestGateway) {
  const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
  const requests = database.prepare('SELECT * FROM requests ORDER BY id').all() as Row[];
  const attempts = database
    .prepare('SELECT * FROM attempts ORDER BY request_id, attempt_index')
    .all() as Row[];
  database.close();
  return { requests, attempts };
}

describe('request log and metrics agree with what the client saw', () => {
  let gateway: TestGateway;
  let local: FakeUpstream;
  let cloud: FakeUpstream;
  const seen: { id: string; status: number; headers: Headers; body: string }[] = [];

  const logLines: string[] = [];

  before(async () => {
    gateway = await startGateway('agree.db', 'redacted', logLines);
    local = gateway.upstreams.local as FakeUpstream;
    cloud = gateway.upstreams.cloud as FakeUpstream;
    const record = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      const { response, text } = await post(gateway, body, headers);
      seen.push({
        id: response.headers.get('x-request-id') as string,
        status: response.status,
        headers: response.headers,
        body: text,
      });
    };
    // 1: a confident local answer (default route).
    local.replyWith(
      createOpenAIAnswer({
        content: 'Open 9 to 5.',
        tokenProbabilities: [0.9],
        usage: { prompt: 400, completion: 600 },
      }),
    );
    await record(
      {
        model: 'auto',
        user: 'u-1',
        messages: [{ role: 'user', content: 'Hours? Mail me at ana@example.com' }],
      },
      { 'x-switchyard-tenant': 'acme' },
    );
    // 2: escalated on low confidence.
    local.replyWith(
      createOpenAIAnswer({ content: 'Hmm', tokenProbabilities: [0.1], usage: { prompt: 20, completion: 3 } }),
    );
    cloud.replyWith(
      createOpenAIAnswer({
        content: 'Monday.',
        usage: { prompt: 1117, completion: 46, cached: 1024 },
        model: 'gpt-4o-mini-2024-07-18',
      }),
    );
    await record({ model: 'auto', messages: [{ role: 'user', content: 'When does my order ship?' }] });
    // 3: a code task routed to the cloud, which fails and falls back to local; streamed.
    cloud.replyWith({ status: 503, json: { error: { message: 'down' } } });
    await record({
      model: 'auto',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Write a Python function that reverses a string' }],
    });
    // 4: bad input.
    await record({ model: 'auto', messages: 'not a list' });
    await gateway.requestLog?.flush();
  });
  after(() => gateway.close());

  it('writes exactly one row per request, keyed by the x-request-id the client got', () => {
    const { requests } = readRows(gateway);
    assert.deepEqual(
      requests.map((row) => row.id),
      seen.map((entry) => entry.id).sort(),
    );
    assert.deepEqual(
      requests.map((row) => row.status),
      [...seen].sort((a, b) => a.id.localeCompare(b.id)).map((entry) => entry.status),
    );
  });

  it('records the route, model, escalation, tokens and cost the client saw in headers and body', () => {
    const { requests } = readRows(gateway);
    const byId = new Map(requests.map((row) => [row.id, row]));
    for (const entry of seen.slice(0, 3)) {
      const row = byId.get(entry.id) as Row;
      assert.equal(row.final_model, entry.headers.get('x-switchyard-route'));
      assert.equal(row.reason, entry.headers.get('x-switchyard-route-reason'));
      assert.equal(String(row.escalated === 1), entry.headers.get('x-switchyard-escalated'));
    }
    const [plain, escalated, streamed] = seen.map((entry) => byId.get(entry.id) as Row);
    const plainBody = JSON.parse(seen[0]?.body as string);
    assert.equal(plain?.input_tokens, plainBody.usage.prompt_tokens);
    assert.equal(plain?.output_tokens, plainBody.usage.completion_tokens);
    assert.equal(plain?.tenant, 'acme');
    assert.equal(plain?.user_id, 'u-1');
    assert.equal(plain?.route, 'local');
    assert.equal(plain?.rule, 'default');
    assert.equal(plain?.cost_usd, 0);
    // Baseline gpt-4o ($2.50/$10) for 400 in + 600 out: 1000 + 6000 micro-dollars.
    assert.equal(plain?.baseline_cost_usd, 0.007);
    assert.equal(String(plain?.cost_usd), seen[0]?.headers.get('x-switchyard-cost-usd')?.replace(/\.0$/, ''));

    // gpt-4o-mini: 93 uncached × 0.15 + 1024 cached × 0.075 + 46 × 0.60 = 13.95 + 76.8 + 27.6 micro-dollars.
    assert.equal(escalated?.cost_usd, 0.00011835);
    assert.equal(seen[1]?.headers.get('x-switchyard-cost-usd'), '0.00011835');
    assert.equal(escalated?.escalation_reason, 'low_confidence');
    assert.equal(escalated?.cached_input_tokens, 1024);

    assert.equal(streamed?.stream, 1);
    assert.equal(streamed?.route, 'cloud');
    assert.equal(streamed?.rule, 'code-to-cloud');
    assert.equal(streamed?.final_model, 'local');
    assert.ok(
      (streamed?.ttft_ms as number) > 0 && (streamed?.ttft_ms as number) <= (streamed?.latency_ms as number),
    );
    const usageChunk = String(seen[2]?.body)
      .split('\n\n')
      .find((event) => event.includes('"usage":{'));
    assert.ok(usageChunk);
    assert.equal(JSON.parse(usageChunk.slice('data: '.length)).usage.prompt_tokens, streamed?.input_tokens);
  });

  it('keeps one attempt row per model call, with the escalation and the fallback', () => {
    const { attempts } = readRows(gateway);
    const of = (index: number) => attempts.filter((row) => row.request_id === seen[index]?.id);
    assert.deepEqual(
      of(1).map((row) => [row.model, row.role, row.status]),
      [
        ['local', 'primary', 'ok'],
        ['cloud', 'escalation', 'ok'],
      ],
    );
    assert.ok(Math.abs((of(1)[0]?.confidence as number) - 0.1) < 1e-12);
    assert.equal(of(1)[1]?.model_id, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(
      of(2).map((row) => [row.model, row.role, row.status, row.error_status]),
      [
        ['cloud', 'primary', 'error', 502],
        ['local', 'fallback', 'ok', null],
      ],
    );
    assert.equal(of(3).length, 0, 'a request refused before routing has no attempts');
  });

  it('records a refused request with its status and error code', () => {
    const { requests } = readRows(gateway);
    const refused = requests.find((row) => row.id === seen[3]?.id) as Row;
    assert.equal(refused.status, 400);
    assert.equal(refused.error_code, JSON.parse(seen[3]?.body as string).error.code);
  });

  it('redacts PII from logged content by default', () => {
    const { requests } = readRows(gateway);
    const plain = requests.find((row) => row.id === seen[0]?.id) as Row;
    assert.equal(plain.request_content, 'user: Hours? Mail me at [EMAIL]');
    assert.equal(plain.response_content, 'Open 9 to 5.');
  });

  it('writes one JSON log line per chat request, without prompt text', () => {
    const lines = logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'chat completion');
    assert.deepEqual(lines.map((line) => line.requestId).sort(), seen.map((entry) => entry.id).sort());
    const first = lines.find((line) => line.requestId === seen[0]?.id);
    assert.equal(first.model, 'local');
    assert.equal(first.costUsd, 0);
    assert.equal(first.inputTokens, 400);
    const all = logLines.join('\n');
    assert.doesNotMatch(all, /ana@example\.com|Hours\?/);
    assert.equal(
      logLines.filter((line) => line.includes('"msg":"request"') && line.includes('chat/completions')).length,
      0,
    );
  });

  it('exports the same totals as Prometheus metrics', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
    const requests = (labels: string) =>
      value(new RegExp(`^switchyard_requests_total\\{${labels}\\} (\\S+)$`, 'm'));
    assert.equal(requests('route="local",model="local",reason="default",status="200"'), 1);
    assert.equal(requests('route="local",model="cloud",reason="escalated",status="200"'), 1);
    assert.equal(requests('route="cloud",model="local",reason="fallback",status="200"'), 1);
    // Refused before routing: counted too, with no route.
    assert.equal(requests('route="none",model="none",reason="none",status="400"'), 1);
    assert.ok(Math.abs(value(/^switchyard_cost_usd_total\{model="cloud"\} (\S+)$/m) - 0.00011835) < 1e-15);
    assert.equal(
      value(/^switchyard_escalations_total\{from="local",to="cloud",reason="low_confidence"\} (\S+)$/m),
      1,
    );
    assert.equal(
      value(/^switchyard_fallbacks_total\{from="cloud",to="local",reason="upstream_error"\} (\S+)$/m),
      1,
    );
    assert.equal(value(/^switchyard_tokens_total\{model="cloud",kind="cached_input"\} (\S+)$/m), 1024);
    assert.equal(value(/^switchyard_gateway_overhead_seconds_count (\S+)$/m), 4);
    assert.ok(value(/^switchyard_baseline_cost_usd_total (\S+)$/m) > 0.007);
    assert.match(text, /^switchyard_request_duration_seconds_bucket\{le="0.005",route="local"\} /m);
    assert.match(text, /^switchyard_time_to_first_token_seconds_count\{model="local"\} 1$/m);
    assert.match(text, /^switchyard_request_log_pending_rows 0$/m);
  });

  it('sends the cost of a stream, known only at its end, as HTTP trailers', async () => {
    const { request } = await import('node:http');
    local.replyWith(createOpenAIAnswer({ content: 'Sure.', tokenProbabilities: [0.9] }));
    const trailers = await new Promise<NodeJS.Dict<string>>((resolve, reject) => {
      const outgoing = request(
        `${gateway.url}/v1/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (response) => {
          assert.equal(
            response.headers.trailer,
            'x-switchyard-model, x-switchyard-route-reason, x-switchyard-cost-usd, x-switchyard-baseline-cost-usd',
          );
          response.resume();
          response.on('end', () => resolve(response.trailers));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(
        JSON.stringify({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
      );
    });
    // Local is free; the baseline gpt-4o would have charged 10 × 2.50 + 5 × 10 = 75 micro-dollars.
    assert.equal(trailers['x-switchyard-cost-usd'], '0.0');
    assert.equal(trailers['x-switchyard-baseline-cost-usd'], '0.000075');
    assert.equal(trailers['x-switchyard-model'], 'local');
  });
});

describe('content logging settings', () => {
  for (const [mode, expected] of [
    ['none', null],
    ['full', 'user: Mail ana@example.com'],
  ] as const) {
    it(`stores ${mode === 'none' ? 'no content' : 'the raw prompt'} with content: ${mode}`, async () => {
      const gateway = await startGateway(`content-${mode}.db`, mode);
      await post(gateway, { model: 'local', messages: [{ role: 'user', content: 'Mail ana@example.com' }] });
      await gateway.requestLog?.flush();
      const { requests } = readRows(gateway);
      await gateway.close();
      assert.equal(requests[0]?.request_content, expected);
    });
  }
});

describe('a known price always gives a known cost', () => {
  it('logs a NULL cost only for requests that reached an unpriced model, counts and flags those', async () => {
    const logLines: string[] = [];
    const gateway = await startTestGateway({
      logLines,
      upstreams: ['local', 'cloud', 'mystery'],
      listen: true,
      requestLogPath: join(directory, 'invariant.db'),
      config: (urls) => ({
        models: {
          // Local and unpriced: free. gpt-4o-mini: priced by the built-in table.
          local: { provider: 'openai-compatible', baseUrl: urls.local as string, model: 'qwen', local: true },
          cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
          // Remote, with no configured price and none built in: its cost is unknown.
          mystery: { provider: 'openai-compatible', baseUrl: urls.mystery as string, model: 'mystery-1' },
        },
        routing: { default: 'local', retries: { maxRetries: 0 }, baseline: 'cloud' },
        storage: { flushIntervalMs: 10 },
      }),
    });
    const unpriced = new Set(['mystery']);
    const messages = [{ role: 'user', content: 'Hello' }];
    for (const model of ['auto', 'local', 'cloud', 'mystery']) {
      for (const stream of [false, true]) await post(gateway, { model, stream, messages });
    }
    await post(gateway, { model: 'auto', messages: 'not a list' });
    await post(gateway, { model: 'nope', messages });
    (gateway.upstreams.cloud as FakeUpstream).replyWith({
      status: 500,
      json: { error: { message: 'down' } },
    });
    await post(gateway, { model: 'cloud', messages });
    await gateway.requestLog?.flush();
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const { requests, attempts } = readRows(gateway);
    await gateway.close();

    assert.equal(requests.length, 11);
    for (const row of requests) {
      const models = attempts
        .filter((attempt) => attempt.request_id === row.id)
        .map((attempt) => attempt.model);
      const reachedUnpriced = models.some((model) => unpriced.has(model as string));
      assert.equal(row.cost_usd === null, reachedUnpriced, `row ${row.id} (${models.join(', ')})`);
    }
    assert.match(metrics, /^switchyard_unpriced_attempts_total\{model="mystery"\} 2$/m);
    const warning = logLines.map((line) => JSON.parse(line)).find((line) => line.level === 40 && line.models);
    assert.deepEqual(warning?.models, ['mystery']);
  });
});
