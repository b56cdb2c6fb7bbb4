import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as SqliteDatabase, type Statement } from 'better-sqlite3';
import type { RequestOutcome } from '../../contract/index.js';
import type { RequestLog } from '../request-log.js';
import { migrateSqlite } from './sqlite-migrations.js';

type Row = Record<string, string | number | null>;

/** WAL pages (4 KiB each) written between automatic checkpoints. */
const CHECKPOINT_PAGES = 4_000;
/** The connection's page cache, in KiB (SQLite's own default). */
const CACHE_KIB = 2_000;

/** Router features and residency facts, as the `scores` column keeps them (JSON). */
function collectScores(outcome: RequestOutcome): string | null {
  const decision = outcome.decision;
  if (!decision) return null;
  const scores: Record<string, unknown> = {};
  const features = decision.features;
  if (features) {
    scores.taskType = features.taskType;
    scores.taskTypeProbability = features.taskTypeProbability;
    scores.complexity = features.complexity;
    scores.inputTokens = features.inputTokens;
    scores.hasTools = features.hasTools;
    scores.responseFormat = features.responseFormat;
    if (features.intent !== undefined) {
      scores.intent = features.intent;
      scores.inScope = features.inScope;
    }
  }
  scores.piiKinds = decision.piiKinds;
  scores.localOnly = decision.localOnly;
  return JSON.stringify(scores);
}

function convertRequestRow(outcome: RequestOutcome): Row {
  const { usage, decision, timings } = outcome;
  return {
    id: outcome.id,
    started_at: new Date(outcome.startedAt).toISOString(),
    tenant: outcome.tenant,
    user_id: outcome.user,
    requested_model: outcome.requestedModel,
    route: decision?.target ?? null,
    rule: decision?.rule ?? null,
    reason: outcome.reasonText,
    scores: collectScores(outcome),
    escalated: outcome.escalation?.escalated ? 1 : 0,
    escalation_reason: outcome.escalation?.why ?? null,
    final_model: outcome.servedModel,
    status: outcome.status,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    stream: outcome.stream ? 1 : 0,
    ttft_ms: timings.ttftMs,
    latency_ms: timings.latencyMs,
    input_tokens: usage?.inputTokens ?? null,
    output_tokens: usage?.outputTokens ?? null,
    cached_input_tokens: usage?.cachedInputTokens ?? null,
    reasoning_tokens: usage?.reasoningTokens ?? null,
    usage_source: usage?.source ?? null,
    cost_usd: outcome.costUsd,
    baseline_cost_usd: outcome.baselineCostUsd,
    config_hash: outcome.configHash,
    request_content: outcome.content.request,
    response_content: outcome.content.response,
  };
}

function convertAttemptRows(outcome: RequestOutcome): Row[] {
  return outcome.attempts.map((attempt, index) => ({
    request_id: outcome.id,
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

/** An INSERT with one named parameter per column, bound from a converted row. */
function prepareInsert(database: SqliteDatabase, table: string, columns: string[]): Statement {
  const values = columns.map((column) => `@${column}`).join(', ');
  return database.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values})`);
}

const REQUEST_COLUMNS = Object.keys(
  convertRequestRow({
    id: '',
    startedAt: 0,
    decision: null,
    escalation: null,
    attempts: [],
    timings: { latencyMs: 0, ttftMs: null, upstreamMs: 0, backoffMs: 0, overheadMs: 0 },
    content: { request: null, response: null },
  } as unknown as RequestOutcome),
);
const ATTEMPT_COLUMNS = Object.keys(
  convertAttemptRows({
    id: '',
    attempts: [{ model: '', role: 'primary', status: 'ok', latencyMs: 0, costUsd: 0 }],
  } as unknown as RequestOutcome)[0] as Row,
);

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
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.database = new Database(options.path);
    this.database.pragma('journal_mode = WAL');
    // WAL + NORMAL is durable across process crashes; only an OS crash can lose the last commits.
    this.database.pragma('synchronous = NORMAL');
    this.database.pragma('busy_timeout = 5000');
    // A checkpoint blocks the event loop on fsyncs; fewer, larger ones block it for less time in
    // all, at the price of a larger WAL file between checkpoints.
    this.database.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    // This connection only appends (each index grows at its right edge), so SQLite's own default
    // page cache holds every page it touches; better-sqlite3's larger default only costs memory.
    this.database.pragma(`cache_size = -${CACHE_KIB}`);
    migrateSqlite(this.database);
    this.insertRequest = prepareInsert(this.database, 'requests', REQUEST_COLUMNS);
    this.insertAttempt = prepareInsert(this.database, 'attempts', ATTEMPT_COLUMNS);
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
