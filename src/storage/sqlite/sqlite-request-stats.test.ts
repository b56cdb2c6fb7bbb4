import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSyntheticOutcomes } from '../../../test/support/create-synthetic-outcomes.js';
import { describeRequestStats } from '../request-stats.case.js';
import { SqliteRequestLog } from './sqlite-request-log.js';
import { SqliteRequestStats } from './sqlite-request-stats.js';
import { createSqliteStatsReader } from './sqlite-stats-reader.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-stats-'));
after(() => rmSync(directory, { recursive: true, force: true }));

describeRequestStats('sqlite, in a worker thread', async () => {
  const path = join(directory, 'stats.db');
  const requestLog = new SqliteRequestLog({
    path,
    batchSize: 500,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  const reader = new Database(path, { readonly: true });
  return {
    requestLog,
    stats: new SqliteRequestStats({ path, requestLog }),
    query: async (sql, values = []) => reader.prepare(sql).all(...values) as Record<string, unknown>[],
    write: async (sql, values = []) => {
      const writer = new Database(path);
      try {
        writer.prepare(sql).run(...values);
      } finally {
        writer.close();
      }
    },
    isTrue: (column) => `${column} = 1`,
    async dispose() {
      reader.close();
      await requestLog.close();
    },
  };
});

describe('sqlite stats queries', () => {
  it('read a one-hour view through the time index, never scanning the table', async () => {
    const path = join(directory, 'plans.db');
    const requestLog = new SqliteRequestLog({
      path,
      batchSize: 500,
      flushIntervalMs: 10_000,
      onError: () => {},
    });
    const now = Date.now();
    for (const outcome of createSyntheticOutcomes({ count: 500, from: now - 3 * 86_400_000, to: now }))
      requestLog.append(outcome);
    await requestLog.flush();
    const plans: string[] = [];
    const reader = createSqliteStatsReader((work) =>
      requestLog.read((database) => {
        // Every statement the overview runs is explained as it goes by.
        const prepare = database.prepare.bind(database);
        return work(
          Object.assign(Object.create(database), {
            prepare: (sql: string) => {
              plans.push(
                ...(
                  prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(sql.split('?').length - 1).fill('')) as {
                    detail: string;
                  }[]
                ).map((row) => row.detail),
              );
              return prepare(sql);
            },
          }),
        );
      }),
    );
    await reader.overview({ from: now - 3_600_000, to: now, filter: {}, localModels: ['local'] });
    assert.ok(plans.length > 0);
    for (const plan of plans.filter((line) => / requests /.test(line))) {
      assert.match(
        plan,
        /^SEARCH requests USING COVERING INDEX requests_stats \(started_at>\? AND started_at<\?\)/,
      );
    }
    plans.length = 0;
    await reader.overview({
      from: now - 3_600_000,
      to: now,
      filter: { model: 'local' },
      localModels: ['local'],
    });
    await reader.listRequests({
      from: now - 3_600_000,
      to: now,
      filter: { rule: 'default' },
      localModels: [],
      limit: 50,
    });
    for (const plan of plans.filter((line) => / requests /.test(line))) {
      assert.match(plan, /^SEARCH requests USING .*started_at>\? AND started_at<\?\)$/);
    }
    await requestLog.close();
  });
});

describe('sqlite stats worker', () => {
  it('runs at the lowest CPU priority, its thread alone, so requests go first on a shared core', {
    skip: process.platform !== 'linux' && 'thread nice values are read from /proc on Linux',
  }, async () => {
    const path = join(directory, 'priority.db');
    const requestLog = new SqliteRequestLog({
      path,
      batchSize: 500,
      flushIntervalMs: 10_000,
      onError: () => {},
    });
    const stats = new SqliteRequestStats({ path, requestLog });
    try {
      // Any answer means the worker has started (and set its priority first).
      await stats.listRequests({ from: 0, to: Date.now(), filter: {}, localModels: [], limit: 1 });
      const nice = readdirSync('/proc/self/task').map((thread) => {
        const fields =
          readFileSync(`/proc/self/task/${thread}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        return Number(fields[16]);
      });
      assert.equal(nice.filter((value) => value === 19).length, 1, `nice values: ${nice.join(' ')}`);
      assert.equal(nice[0], 0, 'the main thread keeps its priority');
    } finally {
      await stats.close();
      await requestLog.close();
    }
  });
});
