import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { RequestOutcome } from '../../contract/index.js';
import {
  ATTEMPT_COLUMNS,
  convertAttemptRows,
  convertRequestRow,
  REQUEST_COLUMNS,
} from '../convert-outcome-rows.js';
import type { RequestLog } from '../request-log.js';
import { openSqliteDatabase } from './open-sqlite-database.js';

/** An INSERT with one named parameter per column, bound from a converted row. */
function prepareInsert(database: SqliteDatabase, table: string, columns: readonly string[]): Statement {
  const values = columns.map((column) => `@${column}`).join(', ');
  return database.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values})`);
}

/**
 * The default request log: one SQLite file in WAL mode (readers such as `sqlite3` or a dashboard
 * never block the gateway's writes).
 *
 * Rows go into SQLite as soon as the event loop is done with the requests that produced them (one
 * `setImmediate` per loop turn, after the answers are written), inside a transaction that stays
 * open until `batchSize` rows are in it or `flushIntervalMs` has passed since its first row; then it
 * is committed. The request never waits for the database, and outcomes do not linger in memory:
 * SQLite's page cache holds the open batch. A crash loses at most the uncommitted rows, the last
 * `flushIntervalMs`.
 *
 * A row that SQLite refuses is dropped alone and reported; the rest of the transaction stays. An
 * error that makes SQLite roll the whole transaction back (a full disk, an I/O error) loses its
 * uncommitted rows, and they are reported as lost.
 */
export class SqliteRequestLog implements RequestLog {
  private readonly database: SqliteDatabase;
  private readonly insertRequest: Statement;
  private readonly insertAttempt: Statement;
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly onError: (error: unknown, lostRows: number) => void;
  /** Appended in this loop turn, written by the next `setImmediate`. */
  private arrived: RequestOutcome[] = [];
  private writeScheduled = false;
  /** Rows written in the open transaction. */
  private uncommitted = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failed = 0;

  constructor(options: {
    path: string;
    batchSize: number;
    flushIntervalMs: number;
    onError: (error: unknown, lostRows: number) => void;
  }) {
    this.database = openSqliteDatabase(options.path);
    this.insertRequest = prepareInsert(this.database, 'requests', REQUEST_COLUMNS);
    this.insertAttempt = prepareInsert(this.database, 'attempts', ATTEMPT_COLUMNS);
    this.begin = this.database.prepare('BEGIN');
    this.commit = this.database.prepare('COMMIT');
    this.rollback = this.database.prepare('ROLLBACK');
    this.batchSize = options.batchSize;
    this.flushIntervalMs = options.flushIntervalMs;
    this.onError = options.onError;
  }

  /**
   * Runs `work` on this log's connection between two batches: the open batch is committed first, so
   * `work` may open a transaction of its own. Other stores on the same file (tenants and keys) write
   * through this; a second connection in this process would wait on the open batch, which only
   * this event loop can commit.
   */
  runBetweenBatches<T>(work: (database: SqliteDatabase) => T): T {
    if (this.closed) throw new Error('the request log is closed');
    this.commitOpen();
    return work(this.database);
  }

  /** Runs a read on this log's connection; it also sees the open batch's rows. */
  read<T>(work: (database: SqliteDatabase) => T): T {
    if (this.closed) throw new Error('the request log is closed');
    return work(this.database);
  }

  get failedRows(): number {
    return this.failed;
  }

  get pendingRows(): number {
    return this.arrived.length + this.uncommitted;
  }

  append(outcome: RequestOutcome): void {
    if (this.closed) throw new Error('the request log is closed');
    this.arrived.push(outcome);
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(this.writeArrived);
    }
  }

  flush(): Promise<void> {
    this.writeArrived();
    this.commitOpen();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.database.close();
  }

  private readonly writeArrived = (): void => {
    this.writeScheduled = false;
    if (this.arrived.length === 0 || !this.database.open) return;
    const outcomes = this.arrived;
    this.arrived = [];
    for (const outcome of outcomes) this.writeOne(outcome);
    if (this.uncommitted >= this.batchSize) this.commitOpen();
  };

  private writeOne(outcome: RequestOutcome): void {
    try {
      if (!this.database.inTransaction) {
        this.begin.run();
        this.commitTimer = setTimeout(() => this.commitOpen(), this.flushIntervalMs);
        // A pending commit must not keep a finished process alive; close() commits explicitly.
        this.commitTimer.unref();
      }
      this.insertRequest.run(convertRequestRow(outcome));
      try {
        for (const row of convertAttemptRows(outcome)) this.insertAttempt.run(row);
      } catch (error) {
        // A request row is kept with all its attempts or not at all.
        this.database.prepare('DELETE FROM attempts WHERE request_id = ?').run(outcome.id);
        this.database.prepare('DELETE FROM requests WHERE id = ?').run(outcome.id);
        throw error;
      }
      this.uncommitted += 1;
    } catch (error) {
      this.reportLoss(error, 1);
    }
  }

  private commitOpen(): void {
    this.stopCommitTimer();
    if (!this.database.open || !this.database.inTransaction) return;
    try {
      this.commit.run();
      this.uncommitted = 0;
    } catch (error) {
      try {
        if (this.database.inTransaction) this.rollback.run();
      } catch {
        // The transaction is gone either way; its rows are reported below.
      }
      this.reportLoss(error, 0);
    }
  }

  /** `rows` lost by the failed statement, plus the open transaction's if SQLite rolled it back. */
  private reportLoss(error: unknown, rows: number): void {
    let lost = rows;
    if (!this.database.inTransaction) {
      lost += this.uncommitted;
      this.uncommitted = 0;
      this.stopCommitTimer();
    }
    if (lost === 0) return;
    this.failed += lost;
    this.onError(error, lost);
  }

  private stopCommitTimer(): void {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
  }
}
