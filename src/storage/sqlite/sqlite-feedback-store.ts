import type { Database as SqliteDatabase } from 'better-sqlite3';
import {
  convertFeedbackRow,
  readFeedbackGroup,
  readFeedbackRow,
  readFeedbackTarget,
} from '../convert-feedback-rows.js';
import { convertTime } from '../convert-tenant-rows.js';
import type { FeedbackGroup, FeedbackRecord, FeedbackStore, FeedbackTarget } from '../feedback-store.js';
import { openSqliteDatabase } from './open-sqlite-database.js';
import type { SqliteRequestLog } from './sqlite-request-log.js';

type Row = Record<string, unknown>;

const FEEDBACK_COLUMNS = Object.keys(
  convertFeedbackRow({
    requestId: '',
    metric: '',
    value: 0,
    createdAt: 0,
    comment: null,
    demonstration: null,
    tenant: null,
    keyId: null,
    model: null,
    route: null,
    taskType: null,
  }),
);

const UPSERT = `INSERT INTO feedback (${FEEDBACK_COLUMNS.join(', ')})
  VALUES (${FEEDBACK_COLUMNS.map((column) => `@${column}`).join(', ')})
  ON CONFLICT (request_id, metric) DO UPDATE SET
  ${FEEDBACK_COLUMNS.filter((column) => column !== 'request_id' && column !== 'metric')
    .map((column) => `${column} = excluded.${column}`)
    .join(', ')}`;

/** Feedback given since `since` (epoch ms), oldest first. */
export function selectFeedback(database: SqliteDatabase, since: number): FeedbackRecord[] {
  const rows = database
    .prepare('SELECT * FROM feedback WHERE created_at >= ? ORDER BY created_at, request_id, metric')
    .all(convertTime(since)) as Row[];
  return rows.map(readFeedbackRow);
}

/**
 * Feedback in the request log's SQLite file. In the gateway's process it shares the request log's
 * connection (`requestLog`), writing between two of its batches, as the tenant store does;
 * elsewhere (the CLI) it opens the file itself (`path`).
 */
export class SqliteFeedbackStore implements FeedbackStore {
  private readonly owned: SqliteDatabase | undefined;
  private readonly requestLog: SqliteRequestLog | undefined;

  constructor(options: { path: string } | { requestLog: SqliteRequestLog }) {
    if ('path' in options) this.owned = openSqliteDatabase(options.path);
    else this.requestLog = options.requestLog;
  }

  async findRequest(requestId: string): Promise<FeedbackTarget | undefined> {
    const row = this.read((database) =>
      database
        .prepare(
          `SELECT id, tenant, final_model, route, json_extract(scores, '$.taskType') AS task_type
           FROM requests WHERE id = ?`,
        )
        .get(requestId),
    ) as Row | undefined;
    return row ? readFeedbackTarget(row) : undefined;
  }

  async recordFeedback(record: FeedbackRecord): Promise<boolean> {
    return this.write((database) => {
      const existed = database
        .prepare('SELECT 1 FROM feedback WHERE request_id = ? AND metric = ?')
        .get(record.requestId, record.metric);
      database.prepare(UPSERT).run(convertFeedbackRow(record));
      return existed !== undefined;
    });
  }

  async summarizeFeedback(since: number): Promise<FeedbackGroup[]> {
    const rows = this.read((database) =>
      database
        .prepare(
          `SELECT metric, model, route, task_type, count(*) AS count, avg(value) AS mean FROM feedback
           WHERE created_at >= ? GROUP BY metric, model, route, task_type
           ORDER BY metric, count DESC, coalesce(model, ''), coalesce(route, ''), coalesce(task_type, '')`,
        )
        .all(convertTime(since)),
    ) as Row[];
    return rows.map(readFeedbackGroup);
  }

  async listFeedback(since: number): Promise<FeedbackRecord[]> {
    return this.read((database) => selectFeedback(database, since));
  }

  async close(): Promise<void> {
    // A shared connection belongs to the request log, which closes it.
    if (this.owned?.open) this.owned.close();
  }

  private read<T>(work: (database: SqliteDatabase) => T): T {
    return this.owned ? work(this.owned) : (this.requestLog as SqliteRequestLog).read(work);
  }

  private write<T>(work: (database: SqliteDatabase) => T): T {
    if (this.owned) return this.owned.transaction(work).immediate(this.owned);
    return (this.requestLog as SqliteRequestLog).runBetweenBatches((database) =>
      database.transaction(work).immediate(database),
    );
  }
}
