import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database, { type Database as SqliteDatabase, type Statement } from 'better-sqlite3';
import { BatchWriter } from '../batch-writer.js';
import type { RequestLog, RequestLogRecord } from '../request-log-record.js';
import { migrateSqlite } from './sqlite-migrations.js';

type Row = Record<string, string | number | null>;

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
 * never block the gateway's writes). Rows are written in batches, one transaction each; a batch
 * that fails is retried row by row so one bad row cannot take its neighbours down with it.
 */
export class SqliteRequestLog implements RequestLog {
  private readonly database: SqliteDatabase;
  private readonly insertRequest: Statement;
  private readonly insertAttempt: Statement;
  private readonly writer: BatchWriter<RequestLogRecord>;
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
    migrateSqlite(this.database);
    const sample = { id: '', startedAt: 0, attempts: [] } as unknown as RequestLogRecord;
    this.insertRequest = prepareInsert(this.database, 'requests', Object.keys(convertRequestRow(sample)));
    const sampleAttempt = {
      ...sample,
      attempts: [{ model: '', role: 'primary', status: 'ok', latencyMs: 0, costUsd: 0 }],
    };
    this.insertAttempt = prepareInsert(
      this.database,
      'attempts',
      Object.keys(convertAttemptRows(sampleAttempt as RequestLogRecord)[0] as Row),
    );
    const writeMany = this.database.transaction((records: RequestLogRecord[]) => {
      for (const record of records) this.writeOne(record);
    });
    const writeOneInTransaction = this.database.transaction((record: RequestLogRecord) =>
      this.writeOne(record),
    );
    this.writer = new BatchWriter({
      batchSize: options.batchSize,
      flushIntervalMs: options.flushIntervalMs,
      write: (batch) => {
        try {
          writeMany(batch);
        } catch {
          let lost = 0;
          let lastError: unknown;
          for (const record of batch) {
            try {
              writeOneInTransaction(record);
            } catch (error) {
              lost += 1;
              lastError = error;
            }
          }
          if (lost > 0) {
            this.failed += lost;
            options.onError(lastError, lost);
          }
        }
      },
      onError: (error, batch) => {
        this.failed += batch.length;
        options.onError(error, batch.length);
      },
    });
  }

  get failedRows(): number {
    return this.failed;
  }

  get pendingRows(): number {
    return this.writer.pending;
  }

  append(record: RequestLogRecord): void {
    if (this.closed) throw new Error('the request log is closed');
    this.writer.add(record);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.flush();
    this.database.close();
  }

  private writeOne(record: RequestLogRecord): void {
    this.insertRequest.run(Object.values(convertRequestRow(record)));
    for (const row of convertAttemptRows(record)) this.insertAttempt.run(Object.values(row));
  }
}
