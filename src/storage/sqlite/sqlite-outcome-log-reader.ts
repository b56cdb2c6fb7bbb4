import { existsSync } from 'node:fs';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import {
  LOGGED_OUTCOME_COLUMNS,
  LOGGED_SHADOW_COLUMNS,
  readLoggedOutcome,
  readLoggedShadowPair,
} from '../convert-feedback-rows.js';
import { convertTime } from '../convert-tenant-rows.js';
import type { FeedbackRecord } from '../feedback-store.js';
import type { LoggedOutcome, LoggedShadowPair, OutcomeLogReader } from '../outcome-log-reader.js';
import { openSqliteDatabase } from './open-sqlite-database.js';
import { selectFeedback } from './sqlite-feedback-store.js';

type Row = Record<string, unknown>;

/** The request log's SQLite file read back for learning, on a connection of its own. */
export class SqliteOutcomeLogReader implements OutcomeLogReader {
  private readonly database: SqliteDatabase;

  constructor(options: { path: string }) {
    // A missing file is a mistyped path, not an empty log: say so instead of creating one.
    if (!existsSync(options.path)) throw new Error(`no request log at ${options.path}`);
    this.database = openSqliteDatabase(options.path);
  }

  async listOutcomes(since: number): Promise<LoggedOutcome[]> {
    const rows = this.database
      .prepare(`SELECT ${LOGGED_OUTCOME_COLUMNS} FROM requests WHERE started_at >= ? ORDER BY started_at, id`)
      .all(convertTime(since)) as Row[];
    return rows.map(readLoggedOutcome);
  }

  async listShadowPairs(since: number): Promise<LoggedShadowPair[]> {
    const rows = this.database
      .prepare(
        `SELECT ${LOGGED_SHADOW_COLUMNS} FROM shadow_pairs WHERE created_at >= ?
         ORDER BY created_at, request_id, to_model`,
      )
      .all(convertTime(since)) as Row[];
    return rows.map(readLoggedShadowPair);
  }

  async listFeedback(since: number): Promise<FeedbackRecord[]> {
    return selectFeedback(this.database, since);
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}
