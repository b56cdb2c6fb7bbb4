import Database from 'better-sqlite3';
import { convertAttemptRows, convertRequestRow } from '../../src/storage/convert-outcome-rows.js';
import { migrateSqlite } from '../../src/storage/sqlite/sqlite-migrations.js';
import { createSyntheticOutcomes } from '../../test/support/create-synthetic-outcomes.js';

/**
 * Fills a SQLite request log with `count` synthetic requests over [from, to), written with the
 * gateway's own row conversion and schema, in large transactions (faster than the gateway's
 * batching, which is built for a live process, not a bulk load).
 */
export function writeSyntheticSqliteLog(options: {
  path: string;
  count: number;
  from: number;
  to: number;
  content?: boolean;
}): void {
  const database = new Database(options.path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = OFF');
  migrateSqlite(database);
  let insertRequest: Database.Statement | undefined;
  let insertAttempt: Database.Statement | undefined;
  const prepare = (table: string, row: Record<string, unknown>) =>
    database.prepare(
      `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row)
        .map((column) => `@${column}`)
        .join(', ')})`,
    );
  let inTransaction = 0;
  database.exec('BEGIN');
  for (const outcome of createSyntheticOutcomes({ ...options, content: options.content ?? true })) {
    const row = convertRequestRow(outcome);
    insertRequest ??= prepare('requests', row);
    insertRequest.run(row);
    for (const attempt of convertAttemptRows(outcome)) {
      insertAttempt ??= prepare('attempts', attempt);
      insertAttempt.run(attempt);
    }
    inTransaction += 1;
    if (inTransaction === 50_000) {
      database.exec('COMMIT; BEGIN');
      inTransaction = 0;
    }
  }
  database.exec('COMMIT');
  database.pragma('wal_checkpoint(TRUNCATE)');
  database.close();
}
