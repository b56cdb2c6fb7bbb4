import type pg from 'pg';
import type { RequestStats } from '../request-stats.js';
import {
  listRequestRows,
  readEvidenceRows,
  readRequestDetail,
  sumSpendRows,
} from '../stats/read-request-rows.js';
import { type RunSql, StatsEngine } from '../stats/stats-engine.js';
import { POSTGRES_DIALECT } from '../stats/stats-sql.js';
import type { SqlRow } from '../stats/summarize-groups.js';
import { openPostgresPool } from './open-postgres-pool.js';

/** `?` placeholders as Postgres numbers them (the statistics' SQL has no other question marks). */
function numberPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/**
 * Statistics of the Postgres request log every replica shares, on a small pool of their own so a
 * long aggregate never delays the log's writes.
 */
export class PostgresRequestStats implements RequestStats {
  private readonly engine: StatsEngine;
  private readonly run: RunSql;

  private constructor(private readonly pool: pg.Pool) {
    this.run = async ({ sql, values }) => (await pool.query<SqlRow>(numberPlaceholders(sql), values)).rows;
    this.engine = new StatsEngine(POSTGRES_DIALECT, this.run);
  }

  static async open(options: { url: string }): Promise<PostgresRequestStats> {
    return new PostgresRequestStats(await openPostgresPool({ url: options.url, maxConnections: 2 }));
  }

  overview: RequestStats['overview'] = (query) => this.engine.overview(query);
  listRequests: RequestStats['listRequests'] = (query) => listRequestRows(this.run, query);
  getRequest: RequestStats['getRequest'] = (id) => readRequestDetail(this.run, id);
  sumSpend: RequestStats['sumSpend'] = (queries) => sumSpendRows(this.run, queries);
  evidence: RequestStats['evidence'] = (from, to) => readEvidenceRows(this.run, from, to);

  async close(): Promise<void> {
    await this.pool.end();
  }
}
