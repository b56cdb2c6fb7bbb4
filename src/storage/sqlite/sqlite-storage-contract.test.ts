import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createOutcome } from '../../../test/support/create-outcome.js';
import type { OutcomeRow } from '../convert-outcome-rows.js';
import { describeRequestLog } from '../request-log.case.js';
import { describeTenantStore } from '../tenant-store.case.js';
import { migrateSqlite, SQLITE_SCHEMA_VERSION } from './sqlite-migrations.js';
import { SqliteRequestLog } from './sqlite-request-log.js';
import { SqliteTenantStore } from './sqlite-tenant-store.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-storage-'));
after(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

/** Runs one statement on a connection of its own, as another process would. */
function withFile<T>(path: string, work: (database: Database.Database) => T): T {
  const database = new Database(path);
  try {
    return work(database);
  } finally {
    database.close();
  }
}

describeRequestLog('sqlite', async () => {
  files += 1;
  const path = join(directory, `log-${files}.db`);
  return {
    open: async (options) => new SqliteRequestLog({ path, onError: () => {}, ...options }),
    readRequests: async () =>
      withFile(path, (database) =>
        (database.prepare('SELECT * FROM requests ORDER BY id').all() as OutcomeRow[]).map((row) => ({
          ...row,
          scores: row.scores === null ? null : JSON.parse(row.scores as string),
        })),
      ),
    readAttempts: async () =>
      withFile(
        path,
        (database) =>
          database.prepare('SELECT * FROM attempts ORDER BY request_id, attempt_index').all() as OutcomeRow[],
      ),
    refuseId: async (id) => {
      withFile(path, (database) =>
        database.exec(`CREATE TRIGGER refuse BEFORE INSERT ON requests WHEN NEW.id = '${id}'
          BEGIN SELECT RAISE(ABORT, 'refused row'); END`),
      );
    },
    markNewerSchema: async () => {
      withFile(path, (database) => database.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`));
    },
    dispose: async () => {},
  };
});

// As the gateway composes them: the tenant store on the request log's connection.
describeTenantStore('sqlite', async () => {
  files += 1;
  const requestLog = new SqliteRequestLog({
    path: join(directory, `tenants-${files}.db`),
    batchSize: 100,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  const tenants = new SqliteTenantStore({ requestLog });
  return { tenants, requestLog, dispose: () => requestLog.close() };
});

// As the CLI opens it beside a running gateway: a connection of its own.
describeTenantStore('sqlite, own connection', async () => {
  files += 1;
  const path = join(directory, `tenants-${files}.db`);
  const requestLog = new SqliteRequestLog({
    path,
    batchSize: 100,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  const tenants = new SqliteTenantStore({ path });
  return {
    tenants,
    requestLog,
    dispose: async () => {
      await tenants.close();
      await requestLog.close();
    },
  };
});

describe('SqliteTenantStore on the request log connection', () => {
  it('writes between two batches: the open batch is committed first, nothing waits', async () => {
    const path = join(directory, 'between.db');
    const requestLog = new SqliteRequestLog({
      path,
      batchSize: 100,
      flushIntervalMs: 60_000,
      onError: () => {},
    });
    const tenants = new SqliteTenantStore({ requestLog });
    requestLog.append(createOutcome('open-batch'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(requestLog.pendingRows, 1, 'the row sits in an open transaction');
    const started = performance.now();
    assert.equal(await tenants.createTenant({ name: 'acme', createdAt: 0 }), true);
    assert.ok(performance.now() - started < 1_000);
    assert.equal(requestLog.pendingRows, 0);
    const committed = withFile(path, (database) => [
      database.prepare('SELECT id FROM requests').all(),
      database.prepare('SELECT name FROM tenants').all(),
    ]);
    assert.deepEqual(committed, [[{ id: 'open-batch' }], [{ name: 'acme' }]]);
    requestLog.append(createOutcome('next-batch'));
    await requestLog.close();
    assert.equal(withFile(path, (database) => database.prepare('SELECT id FROM requests').all()).length, 2);
  });

  it('upgrades a version 1 file: the old rows stay, with no key id', async () => {
    const path = join(directory, 'v1.db');
    withFile(path, (database) => {
      migrateSqlite(database, 1);
      database
        .prepare(
          `INSERT INTO requests (id, started_at, tenant, cost_usd, final_model, escalated, status, stream,
             latency_ms, config_hash) VALUES ('old', '2026-01-01T00:00:00.000Z', 'acme', 1.5, 'x', 0, 200, 0, 5, 'h')`,
        )
        .run();
    });
    const tenants = new SqliteTenantStore({ path });
    assert.equal(await tenants.sumSpend({ tenant: 'acme' }, 0), 1.5);
    assert.equal(await tenants.sumSpend({ keyId: 'k' }, 0), 0);
    await tenants.close();
    withFile(path, (database) => {
      assert.equal(database.pragma('user_version', { simple: true }), SQLITE_SCHEMA_VERSION);
      const plan = database
        .prepare(
          'EXPLAIN QUERY PLAN SELECT total(cost_usd) FROM requests WHERE key_id = ? AND started_at >= ?',
        )
        .all('k', '') as { detail: string }[];
      assert.match(plan.map((step) => step.detail).join(' '), /COVERING INDEX requests_key_id/);
    });
  });
});
