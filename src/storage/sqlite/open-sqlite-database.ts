import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { migrateSqlite } from './sqlite-migrations.js';

/** WAL pages (4 KiB each) written between automatic checkpoints. */
const CHECKPOINT_PAGES = 4_000;
/** The connection's page cache, in KiB (SQLite's own default). */
const CACHE_KIB = 2_000;

/**
 * Opens (creating it if needed) a Switchyard database file in WAL mode, so readers such as
 * `sqlite3`, a dashboard or the CLI never block the gateway's writes, and brings it up to the
 * current schema.
 */
export function openSqliteDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  try {
    database.pragma('journal_mode = WAL');
    // WAL + NORMAL is durable across process crashes; only an OS crash can lose the last commits.
    database.pragma('synchronous = NORMAL');
    // Another process (the CLI creating a key while the gateway runs) waits for the gateway's open
    // batch to commit instead of failing at once.
    database.pragma('busy_timeout = 5000');
    // A checkpoint blocks the event loop on fsyncs; fewer, larger ones block it for less time in
    // all, at the price of a larger WAL file between checkpoints.
    database.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    // The request log only appends (each index grows at its right edge), so SQLite's own default
    // page cache holds every page it touches; better-sqlite3's larger default only costs memory.
    database.pragma(`cache_size = -${CACHE_KIB}`);
    migrateSqlite(database);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}
