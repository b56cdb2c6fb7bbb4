import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSyntheticOutcomes } from '../../../test/support/create-synthetic-outcomes.js';
import { createTestDatabase } from '../../../test/support/postgres-test-database.js';
import { describeRequestStats } from '../request-stats.case.js';
import { listRequestRows } from '../stats/read-request-rows.js';
import { type RunSql, StatsEngine } from '../stats/stats-engine.js';
import { POSTGRES_DIALECT } from '../stats/stats-sql.js';
import { PostgresRequestLog } from './postgres-request-log.js';
import { PostgresRequestStats } from './postgres-request-stats.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeRequestStats('postgres', async () => {
  const database = await createTestDatabase();
  const requestLog = await PostgresRequestLog.open({
    url: database.url,
    batchSize: 500,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  return {
    requestLog,
    stats: await PostgresRequestStats.open({ url: database.url }),
    query: (sql, values = []) => {
      let index = 0;
      return database.query(
        sql.replace(/\?/g, () => `$${++index}`),
        values,
      );
    },
    write: async (sql, values = []) => {
      let index = 0;
      await database.query(
        sql.replace(/\?/g, () => `$${++index}`),
        values,
      );
    },
    isTrue: (column) => column,
    async dispose() {
      await requestLog.close();
      await database.drop();
    },
  };
});

/** The node types of a JSON plan's nodes that read `relation`. */
function findNodesOn(plan: unknown, relation: string): string[] {
  if (Array.isArray(plan)) return plan.flatMap((item) => findNodesOn(item, relation));
  if (!plan || typeof plan !== 'object') return [];
  const node = plan as Record<string, unknown>;
  const own = node['Relation Name'] === relation ? [String(node['Node Type'])] : [];
  return [...own, ...Object.values(node).flatMap((value) => findNodesOn(value, relation))];
}

describe('postgres stats queries', () => {
  it('read a one-hour view through an index on started_at, never scanning the table', async () => {
    const database = await createTestDatabase();
    const requestLog = await PostgresRequestLog.open({
      url: database.url,
      batchSize: 1000,
      flushIntervalMs: 10_000,
      onError: () => {},
    });
    try {
      const now = Date.now();
      for (const outcome of createSyntheticOutcomes({ count: 20_000, from: now - 30 * DAY, to: now }))
        requestLog.append(outcome);
      await requestLog.flush();
      await database.query('ANALYZE requests');
      // Every statement the engine runs is explained, with its values, as it goes by.
      const plans: unknown[] = [];
      const run: RunSql = async ({ sql, values }) => {
        let index = 0;
        const numbered = sql.replace(/\?/g, () => `$${++index}`);
        if (/\brequests\b/.test(sql)) {
          const [row] = await database.query(`EXPLAIN (FORMAT JSON) ${numbered}`, values);
          plans.push(row?.['QUERY PLAN']);
        }
        return database.query(numbered, values);
      };
      const engine = new StatsEngine(POSTGRES_DIALECT, run);
      await engine.overview({ from: now - HOUR, to: now, filter: {}, localModels: ['local'] });
      await engine.overview({
        from: now - HOUR,
        to: now,
        filter: { model: 'local' },
        localModels: ['local'],
      });
      await listRequestRows(run, {
        from: now - HOUR,
        to: now,
        filter: { rule: 'default' },
        localModels: [],
        limit: 50,
      });
      const reads = plans.flatMap((plan) => findNodesOn(plan, 'requests'));
      assert.ok(reads.length > 0, 'the plans read requests');
      for (const node of reads) assert.notEqual(node, 'Seq Scan', JSON.stringify(plans));
      assert.ok(reads.some((node) => /Index/.test(node)));
    } finally {
      await requestLog.close();
      await database.drop();
    }
  });
});
