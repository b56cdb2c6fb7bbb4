import type pg from 'pg';
import {
  convertFeedbackRow,
  readFeedbackGroup,
  readFeedbackRow,
  readFeedbackTarget,
} from '../convert-feedback-rows.js';
import { convertTime } from '../convert-tenant-rows.js';
import type { FeedbackGroup, FeedbackRecord, FeedbackStore, FeedbackTarget } from '../feedback-store.js';
import { openPostgresPool } from './open-postgres-pool.js';

type Row = Record<string, unknown>;

/** Feedback given since `since` (epoch ms), oldest first. */
export async function selectFeedback(pool: pg.Pool, since: number): Promise<FeedbackRecord[]> {
  const result = await pool.query<Row>(
    'SELECT * FROM feedback WHERE created_at >= $1 ORDER BY created_at, request_id, metric',
    [convertTime(since)],
  );
  return result.rows.map(readFeedbackRow);
}

/** Feedback in the replicas' shared Postgres database, beside the request log. */
export class PostgresFeedbackStore implements FeedbackStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects and migrates the schema; rejects when the database is unusable. */
  static async open(options: { url: string; maxConnections?: number }): Promise<PostgresFeedbackStore> {
    return new PostgresFeedbackStore(
      await openPostgresPool({ url: options.url, maxConnections: options.maxConnections ?? 2 }),
    );
  }

  async findRequest(requestId: string): Promise<FeedbackTarget | undefined> {
    const result = await this.pool.query<Row>(
      `SELECT id, tenant, final_model, route, scores->>'taskType' AS task_type FROM requests WHERE id = $1`,
      [requestId],
    );
    return result.rows[0] ? readFeedbackTarget(result.rows[0]) : undefined;
  }

  async recordFeedback(record: FeedbackRecord): Promise<boolean> {
    const row = convertFeedbackRow(record);
    const columns = Object.keys(row);
    const updates = columns
      .filter((column) => column !== 'request_id' && column !== 'metric')
      .map((column) => `${column} = excluded.${column}`);
    // xmax is set on a row version an update produced: it tells a replaced value from a new one.
    const result = await this.pool.query<{ replaced: boolean }>(
      `INSERT INTO feedback (${columns.join(', ')})
       VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})
       ON CONFLICT (request_id, metric) DO UPDATE SET ${updates.join(', ')}
       RETURNING (xmax <> 0) AS replaced`,
      Object.values(row),
    );
    return result.rows[0]?.replaced === true;
  }

  async summarizeFeedback(since: number): Promise<FeedbackGroup[]> {
    const result = await this.pool.query<Row>(
      `SELECT metric, model, route, task_type, count(*)::int AS count, avg(value)::float8 AS mean
       FROM feedback WHERE created_at >= $1 GROUP BY metric, model, route, task_type
       ORDER BY metric, count DESC, coalesce(model, ''), coalesce(route, ''), coalesce(task_type, '')`,
      [convertTime(since)],
    );
    return result.rows.map(readFeedbackGroup);
  }

  listFeedback(since: number): Promise<FeedbackRecord[]> {
    return selectFeedback(this.pool, since);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
