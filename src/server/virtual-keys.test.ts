import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { countTokens as countO200kTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { createOpenAIAnswer, type FakeUpstream } from '../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';
import { createKeySecret } from '../gateway/index.js';
import { RedisQuotaStore } from '../storage/index.js';

const ADMIN_KEY = 'admin-secret-for-tests';
const PRICE = { inputPerMillion: 1000, outputPerMillion: 2000 };
const MESSAGES = [{ role: 'user', content: 'What are your opening hours on Saturday?' }];
/** What OpenAI would bill for MESSAGES: its tokens plus 3 per message and 3 to prime the reply. */
const PROMPT_TOKENS = 3 + countO200kTokens(MESSAGES[0]?.content as string) + 3;
const OUTPUT_TOKENS = 9;
const COST = (PROMPT_TOKENS * PRICE.inputPerMillion + OUTPUT_TOKENS * PRICE.outputPerMillion) / 1e6;

const directory = mkdtempSync(join(tmpdir(), 'switchyard-keys-'));
after(() => rmSync(directory, { recursive: true, force: true }));

async function startKeyedGateway(name: string, routing: Record<string, unknown> = {}): Promise<TestGateway> {
  return startTestGateway({
    upstreams: ['cloud', 'local'],
    listen: true,
    adminKey: ADMIN_KEY,
    requestLogPath: join(directory, `${name}.db`),
    config: (urls) => ({
      models: {
        cloud: {
          provider: 'openai-compatible',
          baseUrl: urls.cloud as string,
          model: 'gpt-4o-mini',
          price: PRICE,
        },
        local: { provider: 'openai-compatible', baseUrl: urls.local as string, model: 'qwen', local: true },
      },
      routing: { default: 'cloud', retries: { maxRetries: 0 }, ...routing },
      auth: { mode: 'keys' },
      storage: { flushIntervalMs: 10 },
    }),
  });
}

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string; param: string | null } } & Record<string, unknown>;
}

async function call(
  gateway: TestGateway,
  method: string,
  path: string,
  options: { key?: string; body?: unknown } = {},
): Promise<Answer> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.key !== undefined ? { authorization: `Bearer ${options.key}` } : {}),
    },
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

const admin = (gateway: TestGateway, method: string, path: string, body?: unknown) =>
  call(gateway, method, `/admin/v1${path}`, { key: ADMIN_KEY, ...(body !== undefined ? { body } : {}) });

/** Scripts the cloud to answer with the usage OpenAI would report for MESSAGES. */
function chat(gateway: TestGateway, key: string | undefined, model = 'cloud') {
  (gateway.upstreams.cloud as FakeUpstream).replyWith(
    createOpenAIAnswer({
      content: 'Nine to five.',
      usage: { prompt: PROMPT_TOKENS, completion: OUTPUT_TOKENS },
    }),
  );
  return call(gateway, 'POST', '/v1/chat/completions', {
    ...(key !== undefined ? { key } : {}),
    body: { model, max_tokens: OUTPUT_TOKENS, messages: MESSAGES },
  });
}

async function createKey(gateway: TestGateway, tenant: string, limits: Record<string, unknown> = {}) {
  const created = await admin(gateway, 'POST', '/keys', { tenant, ...limits });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; key: string };
}

describe('virtual keys, budgets and limits on one gateway', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startKeyedGateway('keys');
  });
  after(() => gateway.close());

  it('manages tenants and keys through the admin API, refusing bad input with the field named', async () => {
    assert.equal((await call(gateway, 'GET', '/admin/v1/keys')).status, 401);
    assert.equal((await call(gateway, 'GET', '/admin/v1/keys', { key: 'wrong' })).status, 401);
    const created = await admin(gateway, 'POST', '/tenants', {
      name: 'acme',
      budgetUsd: 5,
      budgetPeriod: 'day',
      rpm: 100,
    });
    assert.equal(created.status, 201);
    assert.equal(
      (await admin(gateway, 'POST', '/tenants', { name: 'acme' })).body.error?.code,
      'tenant_exists',
    );
    for (const [body, param] of [
      [{ name: 'bad name!' }, 'name'],
      [{ name: 'x', budgetUsd: -3 }, 'budgetUsd'],
      [{ name: 'x', budgetUsd: 1e12 }, 'budgetUsd'],
      [{ name: 'x', rpm: 1.5 }, 'rpm'],
      [{ name: 'x', budgetPeriod: 'day' }, 'budgetPeriod'],
      [{ name: 'x', models: ['gpt9'] }, 'models'],
      [{ name: 'x', extra: true }, ''],
    ] as const) {
      const refused = await admin(gateway, 'POST', '/tenants', body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      if (param) assert.equal(refused.body.error?.param, param, JSON.stringify(refused.body));
    }
    const malformed = await call(gateway, 'POST', '/admin/v1/tenants', { key: ADMIN_KEY, body: '{"name":' });
    assert.equal(malformed.status, 400);
    assert.equal(
      (await admin(gateway, 'POST', '/keys', { tenant: 'nobody' })).body.error?.code,
      'tenant_not_found',
    );
    assert.equal(
      (await admin(gateway, 'POST', '/keys', { tenant: 'acme', expiresIn: 'soon' })).body.error?.param,
      'expiresIn',
    );
    const stored = (await admin(gateway, 'GET', '/tenants')).body.data as { name: string }[];
    assert.deepEqual(
      stored.map((tenant) => tenant.name),
      ['acme'],
      'nothing refused was stored',
    );

    const key = await createKey(gateway, 'acme', { expiresIn: '30d' });
    assert.match(key.key, /^sy-[A-Za-z0-9_-]{43}$/);
    const listed = (await admin(gateway, 'GET', '/keys?tenant=acme')).body.data as Record<string, unknown>[];
    assert.equal(listed.length, 1);
    assert.equal(JSON.stringify(listed).includes(key.key), false, 'a listing never shows the key');
    assert.equal('hash' in (listed[0] as object), false);
    assert.equal((await admin(gateway, 'DELETE', '/keys/nope')).status, 404);
  });

  it('refuses missing, malformed, unknown, revoked and expired keys with 401 invalid_api_key', async () => {
    const key = await createKey(gateway, 'acme');
    assert.equal((await chat(gateway, key.key)).status, 200);
    for (const bad of [undefined, 'abc', 'sy-unknown', `sy-${'x'.repeat(400)}`]) {
      const refused = await chat(gateway, bad);
      assert.equal(refused.status, 401, String(bad));
      assert.equal(refused.body.error?.code, 'invalid_api_key');
    }
    assert.equal((await admin(gateway, 'DELETE', `/keys/${key.id}`)).status, 200);
    // Keys are trusted for half a second before they are read again: a revocation holds within it.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const revoked = await chat(gateway, key.key);
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.error?.message ?? '', /revoked/);
    const secret = createKeySecret();
    await gateway.tenants?.createKey({
      id: 'key_expired',
      tenant: 'acme',
      ...secret,
      createdAt: Date.now() - 120_000,
      expiresAt: Date.now() - 1,
      revokedAt: null,
    });
    const expired = await chat(gateway, secret.key);
    assert.equal(expired.status, 401);
    assert.match(expired.body.error?.message ?? '', /expired/);
  });

  it('serves only the models a key may use, naming them when it refuses', async () => {
    const key = await createKey(gateway, 'acme', { models: ['local'] });
    const refused = await chat(gateway, key.key, 'cloud');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, 'model_not_allowed');
    assert.match(refused.body.error?.message ?? '', /allowed: local/);
    assert.equal((await chat(gateway, key.key, 'local')).status, 200);
  });

  it('limits requests per minute, with OpenAI rate-limit headers and Retry-After', async () => {
    const key = await createKey(gateway, 'acme', { rpm: 2 });
    const first = await chat(gateway, key.key);
    assert.equal(first.headers.get('x-ratelimit-limit-requests'), '2');
    assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '1');
    assert.equal((await chat(gateway, key.key)).headers.get('x-ratelimit-remaining-requests'), '0');
    const refused = await chat(gateway, key.key);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error?.code, 'rate_limit_exceeded');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal(refused.headers.get('x-ratelimit-remaining-requests'), '0');
  });

  it('stops a key at its budget, counting what was spent and saying when it resets', async () => {
    const budget = COST * 4.5;
    const key = await createKey(gateway, 'acme', { budgetUsd: budget, budgetPeriod: 'day' });
    let accepted = 0;
    let refused: Answer | undefined;
    for (let index = 0; index < 10 && !refused; index += 1) {
      const answer = await chat(gateway, key.key);
      if (answer.status === 200) accepted += 1;
      else refused = answer;
    }
    assert.equal(accepted, 4, 'four requests fit a budget of four and a half');
    assert.equal(refused?.status, 429);
    assert.equal(refused?.body.error?.code, 'budget_exceeded');
    assert.match(
      refused?.body.error?.message ?? '',
      /budget of key sy-.{6}\.\.\. is spent: \$0\.\d\d of \$0\.\d\d\. It resets at \d{4}-/,
    );
    await gateway.requestLog?.flush();
    const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
    const rows = database
      .prepare('SELECT tenant, key_id, cost_usd, status FROM requests WHERE key_id = ?')
      .all(key.id) as {
      tenant: string;
      cost_usd: number;
      status: number;
    }[];
    database.close();
    assert.deepEqual(
      rows.map((row) => [row.tenant, row.status]),
      [...Array(4).fill(['acme', 200]), ['acme', 429]],
    );
    const spent = rows.reduce((total, row) => total + row.cost_usd, 0);
    assert.ok(Math.abs(spent - 4 * COST) < 1e-9 && spent <= budget);
    const usage = await admin(gateway, 'GET', '/tenants/acme/usage');
    const keyUsage = (usage.body.keys as { id: string; spentUsd: number }[]).find(
      (entry) => entry.id === key.id,
    );
    assert.ok(Math.abs((keyUsage?.spentUsd ?? 0) - 4 * COST) < 1e-9);
  });

  it('admits exactly what the budget holds when requests race for it', async () => {
    await admin(gateway, 'POST', '/tenants', { name: 'racer', budgetUsd: COST * 5.5 });
    const key = await createKey(gateway, 'racer');
    const answers = await Promise.all(Array.from({ length: 20 }, () => chat(gateway, key.key)));
    assert.equal(answers.filter((answer) => answer.status === 200).length, 5);
    assert.equal(answers.filter((answer) => answer.body.error?.code === 'budget_exceeded').length, 15);
  });
});

describe('a spent budget served by the over-budget local model', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startKeyedGateway('over-budget', { overBudget: 'local' });
  });
  after(() => gateway.close());

  it('answers on the local model, and says so in the headers and the log', async () => {
    await admin(gateway, 'POST', '/tenants', { name: 'thrifty', budgetUsd: COST * 1.5 });
    const key = await createKey(gateway, 'thrifty');
    assert.equal((await chat(gateway, key.key)).headers.get('x-switchyard-model'), 'cloud');
    const local = await chat(gateway, key.key);
    assert.equal(local.status, 200);
    assert.equal(local.headers.get('x-switchyard-model'), 'local');
    assert.equal(
      local.headers.get('x-switchyard-route-reason'),
      "The budget of tenant 'thrifty' is spent; served by local instead of cloud.",
    );
    assert.equal(
      (gateway.upstreams.cloud as FakeUpstream).requests.length,
      1,
      'the cloud saw only the first',
    );
    await gateway.requestLog?.flush();
    const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
    const row = database.prepare("SELECT rule, final_model FROM requests WHERE rule = 'over-budget'").get();
    database.close();
    assert.deepEqual(row, { rule: 'over-budget', final_model: 'local' });
  });
});

describe('keyed requests while the shared state store is down', () => {
  for (const onStoreDown of ['open', 'closed'] as const) {
    it(`${onStoreDown === 'open' ? 'serves with this replica counting alone' : 'refuses with 503 state_store_unavailable'} when onStoreDown is ${onStoreDown}`, async () => {
      // Nothing listens on port 1: every call to this Redis fails at once.
      const unreachable = new RedisQuotaStore({
        url: 'redis://127.0.0.1:1',
        keyPrefix: 'switchyard-test-down:',
      });
      const gateway = await startTestGateway({
        upstreams: ['cloud'],
        listen: true,
        adminKey: ADMIN_KEY,
        quotas: unreachable,
        requestLogPath: join(directory, `down-${onStoreDown}.db`),
        config: (urls) => ({
          models: {
            cloud: {
              provider: 'openai-compatible',
              baseUrl: urls.cloud as string,
              model: 'gpt-4o-mini',
              price: PRICE,
            },
          },
          routing: { default: 'cloud', retries: { maxRetries: 0 } },
          auth: { mode: 'keys' },
          state: { store: 'redis', onStoreDown },
          storage: { flushIntervalMs: 10 },
        }),
      });
      try {
        await admin(gateway, 'POST', '/tenants', { name: 'acme', rpm: 1 });
        const key = await createKey(gateway, 'acme');
        const first = await chat(gateway, key.key);
        if (onStoreDown === 'open') {
          assert.equal(first.status, 200);
          // The replica's own count still holds the limit.
          assert.equal((await chat(gateway, key.key)).body.error?.code, 'rate_limit_exceeded');
        } else {
          assert.equal(first.status, 503);
          assert.equal(first.body.error?.code, 'state_store_unavailable');
        }
        const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
        assert.match(metrics, /^switchyard_state_store_errors_total [1-9]/m);
      } finally {
        await gateway.close();
        await unreachable.close();
      }
    });
  }
});
