import { convertTime } from './convert-tenant-rows.js';
import type { FeedbackGroup, FeedbackRecord, FeedbackTarget } from './feedback-store.js';
import type { LoggedOutcome, LoggedShadowPair } from './outcome-log-reader.js';

/** A row as a store returns it: SQLite gives text times and JSON text, Postgres Dates and parsed jsonb. */
type Row = Record<string, unknown>;

const readTime = (value: unknown) => new Date(value as string | Date).getTime();
const readText = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** The `feedback` row of a record, its columns in table order. */
export function convertFeedbackRow(record: FeedbackRecord): Row {
  return {
    request_id: record.requestId,
    metric: record.metric,
    value: record.value,
    created_at: convertTime(record.createdAt),
    comment: record.comment,
    demonstration: record.demonstration,
    tenant: record.tenant,
    key_id: record.keyId,
    model: record.model,
    route: record.route,
    task_type: record.taskType,
  };
}

export function readFeedbackRow(row: Row): FeedbackRecord {
  return {
    requestId: String(row.request_id),
    metric: String(row.metric),
    value: Number(row.value),
    createdAt: readTime(row.created_at),
    comment: readText(row.comment),
    demonstration: readText(row.demonstration),
    tenant: readText(row.tenant),
    keyId: readText(row.key_id),
    model: readText(row.model),
    route: readText(row.route),
    taskType: readText(row.task_type),
  };
}

/** A `requests` row selected as `id, tenant, final_model, route, task_type`. */
export function readFeedbackTarget(row: Row): FeedbackTarget {
  return {
    requestId: String(row.id),
    tenant: readText(row.tenant),
    model: readText(row.final_model),
    route: readText(row.route),
    taskType: readText(row.task_type),
  };
}

export function readFeedbackGroup(row: Row): FeedbackGroup {
  return {
    metric: String(row.metric),
    model: readText(row.model),
    route: readText(row.route),
    taskType: readText(row.task_type),
    count: Number(row.count),
    mean: Math.round(Number(row.mean) * 1e6) / 1e6,
  };
}

/** Columns of `requests` that offline learning reads. */
export const LOGGED_OUTCOME_COLUMNS =
  'id, started_at, tenant, route, rule, final_model, status, escalated, escalation_reason, scores, request_content, response_content';

export function readLoggedOutcome(row: Row): LoggedOutcome {
  const scores = row.scores;
  return {
    id: String(row.id),
    startedAt: readTime(row.started_at),
    tenant: readText(row.tenant),
    route: readText(row.route),
    rule: readText(row.rule),
    finalModel: readText(row.final_model),
    status: Number(row.status),
    escalated: row.escalated === true || Number(row.escalated) === 1,
    escalationReason: readText(row.escalation_reason),
    scores:
      scores === null || scores === undefined
        ? null
        : typeof scores === 'string'
          ? (JSON.parse(scores) as Record<string, unknown>)
          : (scores as Record<string, unknown>),
    requestContent: readText(row.request_content),
    responseContent: readText(row.response_content),
  };
}

/** Columns of `shadow_pairs` that offline learning reads. */
export const LOGGED_SHADOW_COLUMNS =
  'request_id, created_at, from_model, to_model, status, agreement, judge_verdict, shadow_content';

export function readLoggedShadowPair(row: Row): LoggedShadowPair {
  return {
    requestId: String(row.request_id),
    createdAt: readTime(row.created_at),
    from: String(row.from_model),
    to: String(row.to_model),
    status: String(row.status),
    agreement: row.agreement === null || row.agreement === undefined ? null : Number(row.agreement),
    judgeVerdict: readText(row.judge_verdict),
    shadowContent: readText(row.shadow_content),
  };
}
