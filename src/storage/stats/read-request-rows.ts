import type {
  AttemptDetail,
  RequestDetail,
  RequestPage,
  RequestSummary,
  SpendQuery,
  StatsEvidence,
  StatsQuery,
} from '../request-stats.js';
import type { RunSql } from './stats-engine.js';
import { buildWhere } from './stats-sql.js';
import type { SqlRow } from './summarize-groups.js';

const SUMMARY_COLUMNS = `id, started_at, tenant, key_id, user_id, requested_model, route, final_model, rule,
  reason_kind, task_type, status, error_code, escalated, stream, input_tokens, output_tokens, cost_usd,
  baseline_cost_usd, latency_ms, ttft_ms`;

function toIso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

function toNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function readSummary(row: SqlRow): RequestSummary {
  return {
    id: String(row.id),
    startedAt: toIso(row.started_at),
    tenant: toText(row.tenant),
    keyId: toText(row.key_id),
    user: toText(row.user_id),
    requestedModel: toText(row.requested_model),
    route: toText(row.route),
    finalModel: toText(row.final_model),
    rule: toText(row.rule),
    reasonKind: toText(row.reason_kind),
    taskType: toText(row.task_type),
    status: Number(row.status),
    errorCode: toText(row.error_code),
    escalated: row.escalated === true || row.escalated === 1,
    stream: row.stream === true || row.stream === 1,
    inputTokens: toNumber(row.input_tokens),
    outputTokens: toNumber(row.output_tokens),
    costUsd: toNumber(row.cost_usd),
    baselineCostUsd: toNumber(row.baseline_cost_usd),
    latencyMs: Number(row.latency_ms),
    ttftMs: toNumber(row.ttft_ms),
  };
}

function readAttempt(row: SqlRow): AttemptDetail {
  return {
    index: Number(row.attempt_index),
    model: String(row.model),
    role: String(row.role),
    status: String(row.status),
    errorCode: toText(row.error_code),
    errorMessage: toText(row.error_message),
    errorStatus: toNumber(row.error_status),
    latencyMs: Number(row.latency_ms),
    ttftMs: toNumber(row.ttft_ms),
    modelId: toText(row.model_id),
    inputTokens: toNumber(row.input_tokens),
    outputTokens: toNumber(row.output_tokens),
    costUsd: toNumber(row.cost_usd),
    confidence: toNumber(row.confidence),
  };
}

function readScores(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return value as Record<string, unknown>;
  try {
    return JSON.parse(String(value)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** A page cursor: the last row's time and id, so the next page starts strictly after it. */
function decodeCursor(before: string | undefined): { at: string; id: string } | undefined {
  if (!before) return undefined;
  const split = before.indexOf('|');
  if (split < 0) return undefined;
  return { at: before.slice(0, split), id: before.slice(split + 1) };
}

/** The newest requests of a range and filter, a page at a time (keyset, never OFFSET). */
export async function listRequestRows(
  run: RunSql,
  query: StatsQuery & { limit: number; before?: string },
): Promise<RequestPage> {
  const where = buildWhere(query.from, query.to, query.filter);
  const cursor = decodeCursor(query.before);
  const values = [...where.values];
  let sql = `SELECT ${SUMMARY_COLUMNS} FROM requests WHERE ${where.sql}`;
  if (cursor) {
    const at = new Date(cursor.at).toISOString();
    sql += ' AND (started_at < ? OR (started_at = ? AND id < ?))';
    values.push(at, at, cursor.id);
  }
  sql += ' ORDER BY started_at DESC, id DESC LIMIT ?';
  values.push(query.limit + 1);
  const rows = (await run({ sql, values })).map(readSummary);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { requests: page, next: rows.length > query.limit && last ? `${last.startedAt}|${last.id}` : null };
}

export async function readRequestDetail(run: RunSql, id: string): Promise<RequestDetail | undefined> {
  const [row] = await run({ sql: 'SELECT * FROM requests WHERE id = ?', values: [id] });
  if (!row) return undefined;
  const attempts = await run({
    sql: 'SELECT * FROM attempts WHERE request_id = ? ORDER BY attempt_index',
    values: [id],
  });
  return {
    ...readSummary(row),
    reason: toText(row.reason),
    scores: readScores(row.scores),
    escalationReason: toText(row.escalation_reason),
    errorMessage: toText(row.error_message),
    overheadMs: toNumber(row.overhead_ms),
    configHash: String(row.config_hash),
    requestContent: toText(row.request_content),
    responseContent: toText(row.response_content),
    attempts: attempts.map(readAttempt),
  };
}

/** What each tenant or key spent since its period began: the same sum budgets are held to. */
export async function sumSpendRows(run: RunSql, queries: SpendQuery[]): Promise<number[]> {
  return Promise.all(
    queries.map(async (query) => {
      const column = query.scope === 'tenant' ? 'tenant' : 'key_id';
      const [row] = await run({
        sql: `SELECT coalesce(sum(cost_usd), 0) AS spent FROM requests WHERE ${column} = ? AND started_at >= ?`,
        values: [query.id, new Date(query.since).toISOString()],
      });
      return Number(row?.spent ?? 0);
    }),
  );
}

/** Feedback by model and metric; null while there is none (or no feedback table yet). */
async function readFeedback(run: RunSql, range: string[]): Promise<StatsEvidence['feedback']> {
  let rows: SqlRow[];
  try {
    rows = await run({
      sql: `SELECT model, metric, count(*) AS ratings, avg(value) AS mean FROM feedback
            WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2 ORDER BY 3 DESC`,
      values: range,
    });
  } catch {
    // A log older than the feedback feature has no such table.
    return null;
  }
  return rows.length
    ? rows.map((row) => ({
        model: toText(row.model),
        metric: String(row.metric),
        ratings: Number(row.ratings),
        mean: Number(row.mean),
      }))
    : null;
}

/** Shadow agreement, rollout shares and feedback, each null while its tables hold nothing. */
export async function readEvidenceRows(run: RunSql, from: number, to: number): Promise<StatsEvidence> {
  const range = [new Date(from).toISOString(), new Date(to).toISOString()];
  const shadow = await run({
    sql: `SELECT from_model, to_model, route, task_type, count(*) AS pairs, count(agreement) AS scored,
            coalesce(sum(agreement), 0) AS agreed
          FROM shadow_pairs WHERE created_at >= ? AND created_at < ?
          GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC`,
    values: range,
  });
  const rollouts = await run({ sql: 'SELECT id, share, paused FROM rollouts ORDER BY id', values: [] });
  const changes = rollouts.length
    ? await run({
        sql: `SELECT id, at, from_share, to_share, cause FROM rollout_events
              WHERE at >= ? AND at < ? ORDER BY at LIMIT 1000`,
        values: range,
      })
    : [];
  return {
    feedback: await readFeedback(run, range),
    shadow: shadow.length
      ? shadow.map((row) => ({
          from: String(row.from_model),
          to: String(row.to_model),
          route: toText(row.route),
          taskType: toText(row.task_type),
          pairs: Number(row.pairs),
          scored: Number(row.scored),
          agreed: Number(row.agreed),
        }))
      : null,
    rollouts: rollouts.length
      ? rollouts.map((row) => ({
          id: String(row.id),
          share: Number(row.share),
          paused: row.paused === true || row.paused === 1,
          changes: changes
            .filter((change) => change.id === row.id)
            .map((change) => ({
              id: String(change.id),
              at: Date.parse(toIso(change.at)),
              fromShare: Number(change.from_share),
              toShare: Number(change.to_share),
              cause: String(change.cause),
            })),
        }))
      : null,
  };
}
