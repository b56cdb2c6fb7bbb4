import type pg from 'pg';
import {
  LOGGED_OUTCOME_COLUMNS,
  LOGGED_SHADOW_COLUMNS,
  readLoggedOutcome,
  readLoggedShadowPair,
} from '../convert-feedback-rows.js';
import { convertTime } from '../convert-tenant-rows.js';
import type { FeedbackRecord } from '../feedback-store.js';
import type { LoggedOutcome, LoggedShadowPair, OutcomeLogReader } from '../outcome-log-reader.js';
import { openPostgresPool } from './open-postgres-pool.js';
import { selectFeedback } from './postgres-feedback-store.js';

type Row = Record<string, unknown>;

/** The replicas' shared request log read back for learning. */
export class PostgresOutcomeLogReader implements OutcomeLogReader {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(options: { url: string }): Promise<PostgresOutcomeLogReader> {
    return new PostgresOutcomeLogReader(await openPostgresPool({ url: options.url, maxConnections: 1 }));
  }

  async listOutcomes(since: number): Promise<LoggedOutcome[]> {
    const result = await this.pool.query<Row>(
      `SELECT ${LOGGED_OUTCOME_COLUMNS} FROM requests WHERE started_at >= $1 ORDER BY started_at, id`,
      [convertTime(since)],
    );
    return result.rows.map(readLoggedOutcome);
  }

  async listShadowPairs(since: number): Promise<LoggedShadowPair[]> {
    const result = await this.pool.query<Row>(
      `SELECT ${LOGGED_SHADOW_COLUMNS} FROM shadow_pairs WHERE created_at >= $1
       ORDER BY created_at, request_id, to_model`,
      [convertTime(since)],
    );
    return result.rows.map(readLoggedShadowPair);
  }

  listFeedback(since: number): Promise<FeedbackRecord[]> {
    return selectFeedback(this.pool, since);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
