import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as SqliteDatabase, type Statement } from 'better-sqlite3';
import type { RequestLog, RequestLogRecord } from '../request-log-record.js';
import { migrateSqlite } from './sqlite-migrations.js';

type Row = Record<string, string | number | null>;

/** WAL pages (4 KiB each) written between automatic checkpoints. */
const CHECKPOINT_PAGES = 4_000;
/** The connection's page cache, in KiB (SQLite's own default). */
const CACHE_KIB = 2_000;

function convertRequestRow(record: RequestLogRecord): Row {
  const usage = record.usage;
  return {
    id: record.id,
    started_at: new Date(record.startedAt).toISOString(),
    tenant: record.tenant,
    user_id: record.user,
    requested_model: record.requestedModel,
    route: record.route,
    rule: record.rule,
    reason: record.reason,
    scores: record.scores ? JSON.stringify(record.scores) : null,
    escalated: record.escalated ? 1 : 0,
    escalation_reason: record.escalationReason,
    final_model: record.finalModel,
    status: record.status,
    error_code: record.errorCode,
    error_message: record.errorMessage,
    stream: record.stream ? 1 : 0,
    ttft_ms: record.ttftMs,
    latency_ms: record.latencyMs,
    input_tokens: usage?.inputTokens ?? null,
    output_tokens: usage?.outputTokens ?? null,
    cached_input_tokens: usage?.cachedInputTokens ?? null,
    reasoning_tokens: usage?.reasoningTokens ?? null,
    usage_source: usage?.source ?? null,
    cost_usd: record.costUsd,
    baseline_cost_usd: record.baselineCostUsd,
    config_hash: record.configHash,
    request_content: record.requestContent,
    response_content: record.responseContent,
  };
}

function convertAttemptRows(record: RequestLogRecord): Row[] {
  return record.attempts.map((attempt, index) => ({
    request_id: record.id,
    attempt_index: index,
    model: attempt.model,
    role: attempt.role,
    status: attempt.status,
    error_code: attempt.errorCode ?? null,
    error_message: attempt.errorMessage ?? null,
    error_status: attempt.errorStatus ?? null,
    ttft_ms: attempt.ttftMs ?? null,
    latency_ms: attempt.latencyMs,
    model_id: attempt.modelId ?? null,
    input_tokens: attempt.usage?.inputTokens ?? null,
    output_tokens: attempt.usage?.outputTokens ?? null,
    cached_input_tokens: attempt.usage?.cachedInputTokens ?? null,
    cache_write_input_tokens: attempt.usage?.cacheWriteInputTokens ?? null,
    reasoning_tokens: attempt.usage?.reasoningTokens ?? null,
    usage_source: attempt.usage?.source ?? null,
    cost_usd: attempt.costUsd,
    confidence: attempt.confidence ?? null,
  }));
}

/**
 * An INSERT with positional parameters in the order of `columns`; rows are bound with
 * `Object.values(row)`, so the converters above must list every column, always in one order.
 * Positional binding saves better-sqlite3 a lookup by name per column: 13.1 -> 11.3 µs per
 * request row and attempt row written (bench/gateway/RESULTS.md).
 */
function prepareInsert(database: SqliteDatabase, table: string, columns: string[]): Statement {
  const names = columns.join(', ');
  const values = columns.map(() => '?').join(', ');
  return database.prepare(`INSERT INTO ${table} (${names}) VALUES (${values})`);
}

/**
 * The default request log: one SQLite file in WAL mode (readers such as `sqlite3` or a dashboard
 * never block the gateway's writes).
 *
 * Rows go into SQLite as soon as the event loop is done with the requests that produced them (one
 * `setImmediate` per loop turn, after the answers are written), inside a transaction that stays
 * open until `batchSize` rows are in it or `flushIntervalMs` has passed since its first row; then it
 * is committed. Holding rows as JavaScript objects until a batch was full (as this log did before)
 * kept them alive across young-generation collections, so every row was promoted to the old
 * generation and freed only by a full mark-compact (bench/gateway/RESULTS.md, round 5). SQLite's
 * page cache holds them instead. A crash loses at most the uncommitted rows, as before: the last
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
  private arrived: RequestLogRecord[] = [];
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
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.database = new Database(options.path);
    this.database.pragma('journal_mode = WAL');
    // WAL + NORMAL is durable across process crashes; only an OS crash can lose the last commits.
    this.database.pragma('synchronous = NORMAL');
    this.database.pragma('busy_timeout = 5000');
    // A checkpoint blocks the event loop on two fsyncs (about 6 ms here) plus its pages. SQLite's
    // default (every 1,000 pages, 4 MB) stalled 10-13 ms about twice a second under load; every
    // 4,000 pages stalls about 30 ms four times as rarely: half the blocked time, p99 12-14 -> 8 ms
    // (bench/gateway/RESULTS.md). The WAL file grows to about 16 MB between checkpoints.
    this.database.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection, and under load the log's
    // filled it: 18 MB of the gateway's resident memory. This connection only appends (each index
    // grows at its right edge), so SQLite's own default of 2 MB holds every page it touches; the
    // insert cost is the same (bench/gateway/RESULTS.md, round 7).
    this.database.pragma(`cache_size = -${CACHE_KIB}`);
    migrateSqlite(this.database);
    const sample = { id: '', startedAt: 0, attempts: [] } as unknown as RequestLogRecord;
    this.insertRequest = prepareInsert(this.database, 'requests', Object.keys(convertRequestRow(sample)));
    const sampleAttempt = {
      id: '',
      startedAt: 0,
      attempts: [{ model: '', role: 'primary', status: 'ok', latencyMs: 0, costUsd: 0 }],
    } as unknown as RequestLogRecord;
    this.insertAttempt = prepareInsert(
      this.database,
      'attempts',
      Object.keys(convertAttemptRows(sampleAttempt)[0] as Row),
    );
    this.begin = this.database.prepare('BEGIN');
    this.commit = this.database.prepare('COMMIT');
    this.rollback = this.database.prepare('ROLLBACK');
    this.batchSize = options.batchSize;
    this.flushIntervalMs = options.flushIntervalMs;
    this.onError = options.onError;
  }

  get failedRows(): number {
    return this.failed;
  }

  get pendingRows(): number {
    return this.arrived.length + this.uncommitted;
  }

  append(record: RequestLogRecord): void {
    if (this.closed) throw new Error('the request log is closed');
    this.arrived.push(record);
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
    const records = this.arrived;
    this.arrived = [];
    for (const record of records) this.writeOne(record);
    if (this.uncommitted >= this.batchSize) this.commitOpen();
  };

  private writeOne(record: RequestLogRecord): void {
    try {
      if (!this.database.inTransaction) {
        this.begin.run();
        this.commitTimer = setTimeout(() => this.commitOpen(), this.flushIntervalMs);
        // A pending commit must not keep a finished process alive; close() commits explicitly.
        this.commitTimer.unref();
      }
      this.insertRequest.run(Object.values(convertRequestRow(record)));
      try {
        for (const row of convertAttemptRows(record)) this.insertAttempt.run(Object.values(row));
      } catch (error) {
        // A request row is kept with all its attempts or not at all.
        this.database.prepare('DELETE FROM attempts WHERE request_id = ?').run(record.id);
        this.database.prepare('DELETE FROM requests WHERE id = ?').run(record.id);
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
