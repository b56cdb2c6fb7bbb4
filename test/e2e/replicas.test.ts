import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { countTokens as countO200kTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { Redis } from 'ioredis';
import { createOpenAIAnswer, FakeUpstream } from '../support/fake-upstream.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-test-database.js';
import { findFreePort, startCliServer } from '../support/start-cli-server.js';

const ADMIN_KEY = 'replica-admin-key';
const PRICE = { inputPerMillion: 1000, outputPerMillion: 2000 };
const MESSAGES = [{ role: 'user', content: 'What are your opening hours on Saturday?' }];
// The upstream bills what OpenAI would for MESSAGES with max_tokens: 9 used up.
const PROMPT_TOKENS = 3 + countO200kTokens(MESSAGES[0]?.content as string) + 3;
const OUTPUT_TOKENS = 9;
const COST = (PROMPT_TOKENS * PRICE.inputPerMillion + OUTPUT_TOKENS * PRICE.outputPerMillion) / 1e6;

type Replica = Awaited<ReturnType<typeof startCliServer>>;

const directory = mkdtempSync(join(tmpdir(), 'switchyard-replicas-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function writeConfig(name: string, upstreamUrl: string, keyPrefix: string): string {
  const path = join(directory, `${name}.yaml`);
  writeFileSync(
    path,
    `models:
  cloud: { provider: openai-compatible, baseUrl: "${upstreamUrl}/v1", model: gpt-4o-mini, price: { inputPerMillion: ${PRICE.inputPerMillion}, outputPerMillion: ${PRICE.outputPerMillion} } }
routing: { default: cloud, retries: { maxRetries: 0 } }
auth: { mode: keys, adminKeyEnv: SWITCHYARD_ADMIN_KEY }
state: { store: redis, redis: { urlEnv: SWITCHYARD_REDIS_URL, keyPrefix: "${keyPrefix}" } }
storage: { requestLog: postgres, flushIntervalMs: 50 }
logging: { level: warn }
`,
  );
  return path;
}

async function startReplicas(count: number, config: string, env: NodeJS.ProcessEnv): Promise<Replica[]> {
  return Promise.all(Array.from({ length: count }, () => startCliServer(['--config', config], env)));
}

async function post(url: string, path: string, key: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

const chat = (replica: Replica, key: string) =>
  post(replica.url, '/v1/chat/completions', key, {
    model: 'cloud',
    max_tokens: OUTPUT_TOKENS,
    messages: MESSAGES,
  });

async function createKey(
  replica: Replica,
  tenant: string,
  limits: Record<string, unknown> = {},
): Promise<{ id: string; key: string }> {
  const created = await post(replica.url, '/admin/v1/keys', ADMIN_KEY, { tenant, ...limits });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('three replicas on one Postgres and one Redis', () => {
  let upstream: FakeUpstream;
  let database: TestDatabase;
  let replicas: Replica[];
  const prefix = `switchyard-e2e-${process.pid}-${Date.now()}:`;
  const redis = new Redis('redis://127.0.0.1:6379');

  before(async () => {
    upstream = await FakeUpstream.start(() =>
      createOpenAIAnswer({
        content: 'Nine to five.',
        usage: { prompt: PROMPT_TOKENS, completion: OUTPUT_TOKENS },
      }),
    );
    database = await createTestDatabase();
    const env = {
      SWITCHYARD_DATABASE_URL: database.url,
      SWITCHYARD_REDIS_URL: 'redis://127.0.0.1:6379',
      SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
    };
    replicas = await startReplicas(3, writeConfig('shared', upstream.url, prefix), env);
    const tenant = await post(replicas[0]?.url as string, '/admin/v1/tenants', ADMIN_KEY, { name: 'acme' });
    assert.equal(tenant.status, 201);
  });
  after(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await database.drop();
    await upstream.close();
  });

  it('holds one budget across replicas under 600 concurrent requests, and logs each accepted one once', async () => {
    const budget = COST * 150.5;
    const key = await createKey(replicas[0] as Replica, 'acme', { budgetUsd: budget, budgetPeriod: 'day' });
    const answers = await Promise.all(
      Array.from({ length: 600 }, (_, index) => chat(replicas[index % 3] as Replica, key.key)),
    );
    const accepted = answers.filter((answer) => answer.status === 200).length;
    const refused = answers.filter((answer) => answer.body.error?.code === 'budget_exceeded').length;
    assert.equal(accepted + refused, 600, 'every request was served or refused for its budget');
    assert.ok(accepted * COST <= budget + 1e-12, `${accepted} accepted cost more than the budget`);
    assert.ok(accepted >= 140, `only ${accepted} of the 150 the budget holds were served`);
    await waitFor(
      async () =>
        Number(
          (await database.query('SELECT count(*) AS n FROM requests WHERE key_id = $1', [key.id]))[0]?.n,
        ) === 600,
      10_000,
      'every row',
    );
    const [row] = await database.query(
      `SELECT count(*) FILTER (WHERE status = 200) AS served, count(DISTINCT id) AS ids,
              sum(cost_usd) FILTER (WHERE status = 200) AS spent
         FROM requests WHERE key_id = $1`,
      [key.id],
    );
    assert.equal(Number(row?.served), accepted);
    assert.equal(Number(row?.ids), 600);
    assert.ok(Number(row?.spent) <= budget + 1e-12);
  });

  it('holds a key to 30 requests a minute across replicas', async () => {
    const key = await createKey(replicas[0] as Replica, 'acme', { rpm: 30 });
    const statuses: number[] = [];
    for (let index = 0; index < 100; index += 1) {
      statuses.push((await chat(replicas[index % 3] as Replica, key.key)).status);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    assert.equal(statuses.filter((status) => status === 200).length, 30);
    assert.equal(statuses.filter((status) => status === 429).length, 70);
  });

  it('refuses a key revoked through one replica on every replica within a second', async () => {
    const key = await createKey(replicas[0] as Replica, 'acme');
    for (const replica of replicas) assert.equal((await chat(replica, key.key)).status, 200);
    const response = await fetch(`${replicas[1]?.url}/admin/v1/keys/${key.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(response.status, 200);
    const revokedAt = Date.now();
    await waitFor(
      async () =>
        (await Promise.all(replicas.map((replica) => chat(replica, key.key)))).every((a) => a.status === 401),
      5_000,
      'every replica to refuse the key',
    );
    assert.ok(Date.now() - revokedAt <= 1_000, `took ${Date.now() - revokedAt} ms`);
  });
});

describe('replicas when Redis stops mid-load (state.onStoreDown: closed)', () => {
  it('answer 503 without crashing, then resume with counters equal to the database', async () => {
    const upstream = await FakeUpstream.start(() =>
      createOpenAIAnswer({
        content: 'Nine to five.',
        usage: { prompt: PROMPT_TOKENS, completion: OUTPUT_TOKENS },
      }),
    );
    const database = await createTestDatabase();
    const port = await findFreePort();
    const startRedis = async (): Promise<ChildProcess> => {
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => 50 });
      probe.on('error', () => {});
      await waitFor(async () => (await probe.ping().catch(() => '')) === 'PONG', 5_000, 'redis-server');
      probe.disconnect();
      return child;
    };
    let redisServer = await startRedis();
    const prefix = 'switchyard-down:';
    const replicas = await startReplicas(2, writeConfig('down', upstream.url, prefix), {
      SWITCHYARD_DATABASE_URL: database.url,
      SWITCHYARD_REDIS_URL: `redis://127.0.0.1:${port}`,
      SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
    });
    try {
      assert.equal(
        (
          await post(replicas[0]?.url as string, '/admin/v1/tenants', ADMIN_KEY, {
            name: 'acme',
            budgetUsd: 100,
          })
        ).status,
        201,
      );
      const key = await createKey(replicas[0] as Replica, 'acme');
      for (let index = 0; index < 10; index += 1)
        assert.equal((await chat(replicas[index % 2] as Replica, key.key)).status, 200);

      redisServer.kill('SIGKILL');
      await once(redisServer, 'exit');
      const during = await Promise.all(
        Array.from({ length: 6 }, (_, index) => chat(replicas[index % 2] as Replica, key.key)),
      );
      assert.deepEqual(
        [...new Set(during.map((answer) => answer.body.error?.code))],
        ['state_store_unavailable'],
      );
      assert.ok(during.every((answer) => answer.status === 503));
      for (const replica of replicas) assert.equal((await fetch(`${replica.url}/health`)).status, 200);

      // A restart without persistence: Redis comes back empty, and is rebuilt from the database.
      redisServer = await startRedis();
      await waitFor(
        async () => (await chat(replicas[0] as Replica, key.key)).status === 200,
        10_000,
        'service to resume',
      );
      for (let index = 0; index < 6; index += 1)
        assert.equal((await chat(replicas[index % 2] as Replica, key.key)).status, 200);
      await waitFor(
        async () =>
          Number(
            (
              await database.query(
                "SELECT count(*) AS n FROM requests WHERE tenant = 'acme' AND status = 200",
              )
            )[0]?.n,
          ) >= 17,
        10_000,
        'the rows',
      );
      const [row] = await database.query("SELECT sum(cost_usd) AS spent FROM requests WHERE tenant = 'acme'");
      const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);
      const check = new Redis(`redis://127.0.0.1:${port}`);
      const counter = await check.get(`${prefix}budget:tenant:acme:${monthStart}:spend`);
      check.disconnect();
      assert.ok(
        Math.abs(Number(counter) - Number(row?.spent)) < 1e-9,
        `Redis ${counter}, database ${row?.spent}`,
      );
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
      redisServer.kill('SIGKILL');
      await database.drop();
      await upstream.close();
    }
  });
});
