import type { Database, Statement } from 'better-sqlite3';
import type { RequestStats } from '../request-stats.js';
import {
  listRequestRows,
  readEvidenceRows,
  readRequestDetail,
  sumSpendRows,
} from '../stats/read-request-rows.js';
import { type RunSql, StatsEngine } from '../stats/stats-engine.js';
import { SQLITE_DIALECT } from '../stats/stats-sql.js';
import type { SqlRow } from '../stats/summarize-groups.js';

/** The statistics of a SQLite request log, read on the connection `withDatabase` lends. */
export function createSqliteStatsReader(
  withDatabase: <T>(work: (database: Database) => T) => T,
  now: () => number = Date.now,
): Omit<RequestStats, 'close'> & { warm(days: number): Promise<void> } {
  const statements = new Map<string, Statement>();
  const run: RunSql = ({ sql, values }) =>
    withDatabase((database) => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement.all(...values) as SqlRow[];
    });
  const engine = new StatsEngine(SQLITE_DIALECT, run, now);
  return {
    overview: (query) => engine.overview(query),
    listRequests: (query) => listRequestRows(run, query),
    getRequest: (id) => readRequestDetail(run, id),
    sumSpend: (queries) => sumSpendRows(run, queries),
    evidence: (from, to) => readEvidenceRows(run, from, to),
    warm: (days) => engine.warm(days, () => new Promise((resolve) => setImmediate(resolve))),
  };
}
