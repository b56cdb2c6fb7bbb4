import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

const ADMIN_KEY = 'admin-secret-for-feedback-tests';
const directory = mkdtempSync(join(tmpdir(), 'switchyard-feedback-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const FEEDBACK = {
  metrics: { correct: { type: 'boolean' }, rating: { type: 'float', min: 1, max: 5 } },
  maxCommentChars: 40,
} as const;

function startGateway(name: string, keyed: boolean): Promise<TestGateway> {
  return startTestGateway({
    upstreams: ['cloud', 'local'],
    listen: true,
    requestLogPath: join(directory, `${name}.db`),
    ...(keyed ? { adminKey: ADMIN_KEY } : {}),
    config: (urls) => ({
      models: {
        cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
        local: { provider: 'openai-compatible', baseUrl: urls.local as string, model: 'qwen', local: true },
      },
      routing: { default: 'local', retries: { maxRetries: 0 } },
      feedback: FEEDBACK,
      // Rows wait for their batch: feedback right after an answer finds its request all the same.
      storage: { flushIntervalMs: 60_000 },
      ...(keyed ? { auth: { mode: 'keys' as const } } : {}),
    }),
  });
}

async function post(gateway: TestGateway, path: string, body: unknown, key?: string) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, any>,
  };
}

/** A chat answer's request id, as a client reads it from `x-request-id`. */
async function chat(gateway: TestGateway, content: string, key?: string): Promise<string> {
  const answer = await post(
    gateway,
    '/v1/chat/completions',
    { model: 'auto', messages: [{ role: 'user', content }] },
    key,
  );
  assert.equal(answer.status, 200);
  return answer.headers.get('x-request-id') as string;
}

describe('POST /v1/feedback', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startGateway('open', false);
  });
  after(() => gateway.close());

  it('stores a rating of an answer by its x-request-id, with the facts of the request, and counts it', async () => {
    const id = await chat(gateway, 'What are your opening hours?');
    const first = await post(gateway, '/v1/feedback', { request_id: id, metric: 'correct', value: false });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, {
      object: 'feedback',
      request_id: id,
      metric: 'correct',
      value: false,
      replaced: false,
    });
    const again = await post(gateway, '/v1/feedback', {
      request_id: id,
      metric: 'correct',
      value: true,
      comment: 'mail me at ann@example.com',
      demonstration: 'Nine to five.',
    });
    assert.equal(again.body.replaced, true);
    assert.equal(
      (await post(gateway, '/v1/feedback', { request_id: id, metric: 'rating', value: 4.5 })).status,
      200,
    );
    const database = new Database(join(directory, 'open.db'), { readonly: true });
    const rows = database.prepare('SELECT * FROM feedback ORDER BY metric').all() as Record<
      string,
      unknown
    >[];
    database.close();
    assert.deepEqual(
      rows.map(({ created_at: _, ...row }) => row),
      [
        {
          request_id: id,
          metric: 'correct',
          value: 1,
          comment: 'mail me at [EMAIL]',
          demonstration: 'Nine to five.',
          tenant: null,
          key_id: null,
          model: 'local',
          route: 'local',
          task_type: 'faq',
        },
        {
          request_id: id,
          metric: 'rating',
          value: 4.5,
          comment: null,
          demonstration: null,
          tenant: null,
          key_id: null,
          model: 'local',
          route: 'local',
          task_type: 'faq',
        },
      ],
    );
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(
      metrics,
      /switchyard_feedback_value_count\{metric="correct",model="local",route="local",task_type="faq"\} 2/,
    );
    assert.match(
      metrics,
      /switchyard_feedback_value_sum\{metric="rating",model="local",route="local",task_type="faq"\} 4.5/,
    );
  });

  it('refuses bad input with a 400 naming the field, and an unknown request with a 404', async () => {
    const id = await chat(gateway, 'Hello');
    const cases: [unknown, number, string | null, RegExp][] = [
      [
        { request_id: 'no-such-request', metric: 'correct', value: true },
        404,
        'request_id',
        /No logged request/,
      ],
      [
        { request_id: id, metric: 'helpful', value: true },
        400,
        'metric',
        /unknown metric "helpful" \(declared: correct, rating\)/,
      ],
      [{ request_id: id, metric: 'correct', value: 1 }, 400, 'value', /takes true or false/],
      [{ request_id: id, metric: 'rating', value: 'great' }, 400, 'value', /expected/],
      [{ request_id: id, metric: 'rating', value: true }, 400, 'value', /takes a number/],
      [{ request_id: id, metric: 'rating', value: 7 }, 400, 'value', /from 1 to 5 \(got 7\)/],
      [
        { request_id: id, metric: 'rating', value: 3, comment: 'x'.repeat(41) },
        400,
        'comment',
        /at most 40 characters/,
      ],
      [{ request_id: id, metric: 'rating', value: 3, score: 1 }, 400, 'score', /unknown field/],
      [{ metric: 'rating', value: 3 }, 400, 'request_id', /request_id/],
      [[1, 2], 400, null, /JSON object/],
    ];
    for (const [body, status, param, message] of cases) {
      const answer = await post(gateway, '/v1/feedback', body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.equal(answer.body.error.param, param, JSON.stringify(body));
      assert.match(answer.body.error.message, message);
      assert.equal(answer.body.error.type, 'invalid_request_error');
    }
  });
});

describe('POST /v1/feedback with virtual keys', () => {
  let gateway: TestGateway;
  const keys: Record<string, string> = {};
  before(async () => {
    gateway = await startGateway('keyed', true);
    for (const tenant of ['acme', 'globex']) {
      await post(gateway, '/admin/v1/tenants', { name: tenant }, ADMIN_KEY);
      keys[tenant] = (await post(gateway, '/admin/v1/keys', { tenant }, ADMIN_KEY)).body.key;
    }
  });
  after(() => gateway.close());

  it("lets a key rate its own tenant's requests only", async () => {
    const id = await chat(gateway, 'Where is my parcel?', keys.acme);
    const stranger = await post(
      gateway,
      '/v1/feedback',
      { request_id: id, metric: 'correct', value: false },
      keys.globex,
    );
    assert.equal(stranger.status, 403);
    assert.equal(stranger.body.error.code, 'request_not_owned');
    assert.equal(
      (await post(gateway, '/v1/feedback', { request_id: id, metric: 'correct', value: false })).status,
      401,
    );
    const owner = await post(
      gateway,
      '/v1/feedback',
      { request_id: id, metric: 'correct', value: false },
      keys.acme,
    );
    assert.equal(owner.status, 200);
  });
});
