import type pg from 'pg';
import type { RequestOutcome } from '../../contract/index.js';
import { convertAttemptRows, convertRequestRow } from '../convert-outcome-rows.js';
import type { RequestLog } from '../request-log.js';
import { openPostgresPool } from './open-postgres-pool.js';
import { insertOutcomeRows } from './postgres-row-insert.js';

/** A queued outcome; `retried` once a write of it broke off in a way that may have committed. */
interface Queued {
  outcome: RequestOutcome;
  retried: boolean;
}

/** Rows kept in memory while the database is unreachable; older ones are dropped and reported. */
export const MAX_QUEUED_ROWS = 50_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * Whether a failed write may succeed later unchanged: the connection broke, the server is shutting
 * down or out of resources, or the transaction lost a conflict. Anything else (a value or a
 * constraint a row breaks) fails the same way again.
 */
function isTransient(error: unknown): boolean {
  const code = readSqlState(error);
  return code === undefined || ['08', '40', '53', '57', '58'].includes(code.slice(0, 2));
}

/**
 * Whether a failed transaction may have committed all the same: only when the connection broke
 * with no answer from the server. An error the server reported means it rolled back.
 */
function mayHaveCommitted(error: unknown): boolean {
  return readSqlState(error) === undefined;
}

function readSqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export interface PostgresRequestLogOptions {
  /** `postgres://user:password@host:5432/database`. */
  url: string;
  batchSize: number;
  flushIntervalMs: number;
  onError: (error: unknown, lostRows: number) => void;
}

/**
 * The request log of replicas that share one Postgres database. Outcomes are queued in memory and
 * written by one writer per replica, a batch per transaction with one multi-row INSERT per table,
 * when `batchSize` rows wait or `flushIntervalMs` after the first of them; the request never waits.
 *
 * Exactly one row per request: a request id already in the table is skipped, never written twice.
 * After a failure that may have committed (the connection broke mid-COMMIT) the batch is retried
 * and its ids found there are taken as written; otherwise an id already there is a different
 * request that reused it (a client's own `x-request-id`): its row is dropped and reported, the
 * batch's other rows kept. A row the database refuses is dropped alone and reported. While the
 * database is unreachable, rows wait and are retried with backoff, up to MAX_QUEUED_ROWS.
 */
export class PostgresRequestLog implements RequestLog {
  private readonly pool: pg.Pool;
  private readonly options: PostgresRequestLogOptions;
  private queue: Queued[] = [];
  private inFlight = 0;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = 0;
  private closed = false;
  private failed = 0;

  private constructor(pool: pg.Pool, options: PostgresRequestLogOptions) {
    this.pool = pool;
    this.options = options;
  }

  /** Connects, migrates the schema, and returns the log; rejects when the database is unusable. */
  static async open(options: PostgresRequestLogOptions): Promise<PostgresRequestLog> {
    // One writer, plus one spare so a reconnect never waits for a dying connection to be released.
    return new PostgresRequestLog(await openPostgresPool({ url: options.url, maxConnections: 2 }), options);
  }

  get pendingRows(): number {
    return this.queue.length + this.inFlight;
  }

  get failedRows(): number {
    return this.failed;
  }

  append(outcome: RequestOutcome): void {
    if (this.closed) throw new Error('the request log is closed');
    this.queue.push({ outcome, retried: false });
    if (this.pendingRows > MAX_QUEUED_ROWS) {
      // A tenth at a time, so a long outage is reported in a few lines rather than one per row.
      const dropped = this.queue.splice(0, MAX_QUEUED_ROWS / 10);
      this.report(new Error('the request log queue is full; the database is unreachable'), dropped.length);
    }
    this.schedule();
  }

  /** Writes every queued row now; rows the database cannot take yet stay queued for a retry. */
  async flush(): Promise<void> {
    // A write in progress may schedule the next one as it ends; wait until none is running.
    while (this.writing) await this.writing;
    await this.write(true);
  }

  /** Writes what is queued, then releases the pool; rows that still cannot be written are reported. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    this.stopTimer();
    if (this.queue.length > 0) {
      const lost = this.queue.length;
      this.queue = [];
      this.report(new Error('the database was unreachable at shutdown'), lost);
    }
    await this.pool.end();
  }

  private schedule(): void {
    if (this.writing || this.queue.length === 0) return;
    // After a failed write, wait out the backoff even with a full batch queued.
    if (this.retryMs > 0) {
      if (!this.timer) this.startTimer(this.retryMs);
    } else if (this.queue.length >= this.options.batchSize) void this.write(false);
    else if (!this.timer) this.startTimer(this.options.flushIntervalMs);
  }

  private startTimer(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write(true);
    }, delayMs);
    // Queued rows must not keep a finished process alive; close() writes them explicitly.
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes batches while a full one waits (or all of them for `everything`), one at a time. */
  private write(everything: boolean): Promise<void> {
    if (this.writing) return this.writing;
    this.stopTimer();
    this.writing = (async () => {
      while (this.queue.length > 0 && (everything || this.queue.length >= this.options.batchSize)) {
        const batch = this.queue.splice(0, this.options.batchSize);
        this.inFlight = batch.length;
        let unwritten: Queued[];
        try {
          unwritten = await this.writeBatch(batch);
        } catch (error) {
          // writeBatch handles the database's errors; anything else is a bug that must not stop
          // the writer or escape as an unhandled rejection.
          this.report(error, batch.length);
          unwritten = [];
        }
        this.inFlight = 0;
        if (unwritten.length > 0) {
          this.queue.unshift(...unwritten);
          this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2 || FIRST_RETRY_MS);
          return;
        }
        this.retryMs = 0;
      }
    })().finally(() => {
      this.writing = undefined;
      if (!this.closed) this.schedule();
    });
    return this.writing;
  }

  /** Returns what could not be written yet and should be retried (empty when done). */
  private async writeBatch(batch: Queued[]): Promise<Queued[]> {
    // One row per id within the batch too; later ones with an id seen earlier are duplicates.
    const seen = new Set<string>();
    const unique: Queued[] = [];
    let duplicates = 0;
    for (const entry of batch) {
      if (seen.has(entry.outcome.id)) duplicates += 1;
      else {
        seen.add(entry.outcome.id);
        unique.push(entry);
      }
    }
    if (duplicates > 0) this.report(this.duplicateError(), duplicates);
    // Replicas inserting the same ids in the same order wait on each other instead of deadlocking.
    unique.sort((left, right) =>
      left.outcome.id < right.outcome.id ? -1 : left.outcome.id > right.outcome.id ? 1 : 0,
    );
    try {
      await this.insert(unique);
      return [];
    } catch (error) {
      if (isTransient(error)) return this.markRetried(unique, error);
      // A row the database refuses: write one at a time, so only that row is lost.
      for (let index = 0; index < unique.length; index += 1) {
        const entry = unique[index] as Queued;
        try {
          await this.insert([entry]);
        } catch (rowError) {
          if (isTransient(rowError)) return this.markRetried(unique.slice(index), rowError);
          this.report(rowError, 1);
        }
      }
      return [];
    }
  }

  /** Writes the entries in one transaction; ids already there are reported unless retried. */
  private async insert(entries: Queued[]): Promise<void> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const inserted = await insertOutcomeRows(
        client,
        entries.map((entry) => convertRequestRow(entry.outcome)),
        entries.flatMap((entry) => convertAttemptRows(entry.outcome)),
      );
      await client.query('COMMIT');
      const taken = entries.filter((entry) => !inserted.has(entry.outcome.id) && !entry.retried).length;
      if (taken > 0) this.report(this.duplicateError(), taken);
    } catch (error) {
      broken = isTransient(error);
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      // A connection that failed mid-transaction is closed rather than reused.
      client.release(broken);
    }
  }

  /** Entries to retry; those a broken connection may have committed find their ids taken. */
  private markRetried(entries: Queued[], error: unknown): Queued[] {
    if (mayHaveCommitted(error)) for (const entry of entries) entry.retried = true;
    return entries;
  }

  private duplicateError(): Error {
    return new Error('a request id already in the log; the later request row was dropped');
  }

  private report(error: unknown, lostRows: number): void {
    this.failed += lostRows;
    this.options.onError(error, lostRows);
  }
}
