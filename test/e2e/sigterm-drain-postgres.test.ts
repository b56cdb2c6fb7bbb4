import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDefaultOpenAIReply, FakeUpstream } from '../support/fake-upstream.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-test-database.js';
import { startCliServer } from '../support/start-cli-server.js';

const IN_FLIGHT = 16;

describe('SIGTERM with requests in flight, logging to Postgres', () => {
  let upstream: FakeUpstream;
  let database: TestDatabase;
  let dir: string;

  before(async () => {
    // Every answer takes a while, so all requests are still running when SIGTERM arrives.
    upstream = await FakeUpstream.start((body) => ({ ...createDefaultOpenAIReply(body), delayMs: 400 }));
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-drain-pg-'));
  });
  after(async () => {
    await upstream.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes every accepted request and writes each row exactly once before exiting 0', async () => {
    const config = join(dir, 'switchyard.yaml');
    // Rows would wait a minute for their batch: only the shutdown flush can write them in time.
    writeFileSync(
      config,
      `models:
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
routing: { default: cloud }
storage: { requestLog: postgres, postgres: { urlEnv: TEST_DATABASE_URL }, flushIntervalMs: 60000, batchSize: 10000 }
logging: { level: warn }
`,
    );
    const server = await startCliServer(['--config', config], { TEST_DATABASE_URL: database.url });
    const requests = Array.from({ length: IN_FLIGHT }, async (_, index) => {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'auto',
          stream: index % 2 === 0,
          messages: [{ role: 'user', content: `request ${index}` }],
        }),
      });
      await response.text();
      return { status: response.status, id: response.headers.get('x-request-id') };
    });
    while (upstream.requests.length < IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 10));

    server.child.kill('SIGTERM');
    const answered = await Promise.all(requests);
    const [code] = (await once(server.child, 'exit')) as [number];
    assert.equal(code, 0, server.output());
    assert.deepEqual(
      answered.map((answer) => answer.status),
      Array(IN_FLIGHT).fill(200),
    );

    const ids = (await database.query<{ id: string }>('SELECT id FROM requests')).map((row) => row.id);
    const attempts = await database.query<{ n: string }>('SELECT count(*) AS n FROM attempts');
    assert.equal(ids.length, IN_FLIGHT, 'no accepted request lost');
    assert.deepEqual(ids.sort(), answered.map((answer) => answer.id).sort(), 'each once');
    assert.equal(Number(attempts[0]?.n), IN_FLIGHT);
  });

  it('refuses to start, naming the variable, when the database URL is not set', async () => {
    const config = join(dir, 'unset.yaml');
    writeFileSync(
      config,
      `models:
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
routing: { default: cloud }
storage: { requestLog: postgres, postgres: { urlEnv: TEST_UNSET_DATABASE_URL } }
`,
    );
    await assert.rejects(
      startCliServer(['--config', config], { TEST_UNSET_DATABASE_URL: '' }),
      /TEST_UNSET_DATABASE_URL \(storage\.postgres\.urlEnv\) is not set/,
    );
  });
});
