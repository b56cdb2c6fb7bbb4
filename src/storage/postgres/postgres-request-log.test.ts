import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOutcome } from '../../../test/support/create-outcome.js';
import { CuttingTcpProxy } from '../../../test/support/cutting-tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres-test-database.js';
import { MAX_QUEUED_ROWS, PostgresRequestLog } from './postgres-request-log.js';

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('PostgresRequestLog', () => {
  let database: TestDatabase;
  let proxy: CuttingTcpProxy;
  let proxyUrl: string;

  before(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    proxy = await CuttingTcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    proxyUrl = url.toString();
  });
  after(async () => {
    await proxy.close();
    await database.drop();
  });

  const count = async (prefix: string) =>
    Number(
      (
        await database.query<{ n: string }>('SELECT count(*) AS n FROM requests WHERE id LIKE $1', [
          `${prefix}%`,
        ])
      )[0]?.n,
    );

  it('writes each row of three replicas exactly once, and one row per id they share', async () => {
    const errors: number[] = [];
    const replicas = await Promise.all(
      [1, 2, 3].map(() =>
        PostgresRequestLog.open({
          url: database.url,
          batchSize: 25,
          flushIntervalMs: 5,
          onError: (_error, lost) => errors.push(lost),
        }),
      ),
    );
    for (let index = 0; index < 300; index += 1) {
      replicas.forEach((log, replica) => {
        log.append(createOutcome(`replica-${replica}-${index}`));
        // The same client-chosen request id sent to every replica at once.
        if (index % 30 === 0) log.append(createOutcome(`replica-shared-${index}`));
      });
      if (index % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(replicas.map((log) => log.close()));
    assert.equal(await count('replica-'), 910);
    const distinct = await database.query<{ n: string }>(
      "SELECT count(DISTINCT request_id) AS n FROM attempts WHERE request_id LIKE 'replica-%'",
    );
    assert.equal(Number(distinct[0]?.n), 910);
    assert.equal(
      errors.reduce((sum, lost) => sum + lost, 0),
      20,
      'two of the three copies of each shared id are reported',
    );
  });

  it('retries a batch whose COMMIT went through unheard, without writing it twice or reporting it', async () => {
    const errors: unknown[] = [];
    const log = await PostgresRequestLog.open({
      url: proxyUrl,
      batchSize: 100,
      flushIntervalMs: 60_000,
      onError: (error) => errors.push(error),
    });
    proxy.cutAfterNextCommit();
    for (const id of ['unheard-1', 'unheard-2', 'unheard-3']) log.append(createOutcome(id));
    await log.flush();
    assert.equal(proxy.commitsCut, 1);
    assert.equal(log.pendingRows, 3, 'the log cannot know the batch was written');
    assert.equal(await count('unheard-'), 3, 'it was');
    await log.close();
    assert.equal(await count('unheard-'), 3);
    assert.deepEqual(errors, []);
    assert.equal(log.failedRows, 0);
  });

  it('keeps rows while the database is down and writes them when it is back', async () => {
    const errors: unknown[] = [];
    const log = await PostgresRequestLog.open({
      url: proxyUrl,
      batchSize: 2,
      flushIntervalMs: 20,
      onError: (error) => errors.push(error),
    });
    proxy.setDown(true);
    for (let index = 0; index < 5; index += 1) log.append(createOutcome(`outage-${index}`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(log.pendingRows, 5);
    assert.equal(await count('outage-'), 0);
    proxy.setDown(false);
    await waitFor(async () => (await count('outage-')) === 5, 10_000);
    await log.close();
    assert.deepEqual(errors, []);
  });

  it('holds a bounded queue while the database is down, dropping the oldest tenth at a time', async () => {
    const lost: number[] = [];
    const log = await PostgresRequestLog.open({
      url: proxyUrl,
      batchSize: 100,
      flushIntervalMs: 60_000,
      onError: (_error, rows) => lost.push(rows),
    });
    proxy.setDown(true);
    const outcome = createOutcome('queued');
    for (let index = 0; index <= MAX_QUEUED_ROWS; index += 1)
      log.append({ ...outcome, id: `queued-${index}` });
    assert.deepEqual(lost, [MAX_QUEUED_ROWS / 10]);
    assert.equal(log.pendingRows, MAX_QUEUED_ROWS - MAX_QUEUED_ROWS / 10 + 1);
    await log.close();
    proxy.setDown(false);
    assert.equal(log.failedRows, MAX_QUEUED_ROWS + 1, 'every row is either written or reported');
  });

  it('reports what it cannot write at shutdown while the database is down, and still closes', async () => {
    const lost: number[] = [];
    const log = await PostgresRequestLog.open({
      url: proxyUrl,
      batchSize: 100,
      flushIntervalMs: 60_000,
      onError: (_error, rows) => lost.push(rows),
    });
    proxy.setDown(true);
    log.append(createOutcome('stranded-1'));
    log.append(createOutcome('stranded-2'));
    await log.close();
    proxy.setDown(false);
    assert.deepEqual(lost, [2]);
    assert.equal(log.failedRows, 2);
    assert.equal(log.pendingRows, 0);
  });
});
