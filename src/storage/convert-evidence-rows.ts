import type { RequestOutcome } from '../contract/index.js';
import { convertAttemptRows } from './convert-outcome-rows.js';
import { convertTime } from './convert-tenant-rows.js';
import type {
  RolloutEvent,
  RolloutState,
  ShadowDisagreement,
  ShadowGroup,
  ShadowPairRecord,
} from './evidence-store.js';

type Row = Record<string, unknown>;

const flag = (value: boolean | null | undefined) =>
  value === null || value === undefined ? null : value ? 1 : 0;
const readTime = (value: unknown) => new Date(value as string | Date).getTime();

/** The `shadow_pairs` row of a shadow call, its columns in table order. */
export function convertShadowRow(record: ShadowPairRecord): Row {
  const { attempt, scores } = record;
  return {
    request_id: record.requestId,
    created_at: convertTime(record.createdAt),
    from_model: record.from,
    to_model: record.to,
    route: record.route,
    rule: record.rule,
    task_type: record.taskType,
    status: attempt.status,
    error_code: attempt.errorCode ?? null,
    latency_ms: attempt.latencyMs,
    input_tokens: attempt.usage?.inputTokens ?? null,
    output_tokens: attempt.usage?.outputTokens ?? null,
    cost_usd: attempt.costUsd,
    primary_cost_usd: record.primaryCostUsd,
    exact_match: flag(scores?.exact),
    normalized_match: flag(scores?.normalized),
    json_match: flag(scores?.json),
    tool_match: flag(scores?.tool),
    verifiers_ok: flag(scores?.verifiersOk),
    judge_verdict: scores?.judge ?? null,
    similarity: scores?.similarity ?? null,
    agreement: record.agreement,
    shadow_content: record.content,
  };
}

/** The shadow call's `attempts` row, as any attempt of its request. */
export function convertShadowAttemptRow(record: ShadowPairRecord, attemptIndex: number): Row {
  const [row] = convertAttemptRows({
    id: record.requestId,
    attempts: [record.attempt],
  } as unknown as RequestOutcome);
  return { ...row, attempt_index: attemptIndex };
}

export function readShadowGroup(row: Row): ShadowGroup {
  return {
    from: String(row.from_model),
    to: String(row.to_model),
    route: (row.route as string | null) ?? null,
    taskType: (row.task_type as string | null) ?? null,
    pairs: Number(row.pairs),
    scored: Number(row.scored),
    agreed: Number(row.agreed ?? 0),
    primaryCostUsd: Number(row.primary_cost ?? 0),
    shadowCostUsd: Number(row.shadow_cost ?? 0),
  };
}

export function readShadowDisagreement(row: Row): ShadowDisagreement {
  return {
    requestId: String(row.request_id),
    createdAt: readTime(row.created_at),
    from: String(row.from_model),
    to: String(row.to_model),
    taskType: (row.task_type as string | null) ?? null,
    similarity: Number(row.similarity ?? 0),
    judge: (row.judge_verdict as ShadowDisagreement['judge']) ?? null,
  };
}

export function readRolloutState(row: Row): RolloutState {
  return {
    id: String(row.id),
    share: Number(row.share),
    lastGoodShare: Number(row.last_good_share),
    paused: Boolean(row.paused),
    updatedAt: readTime(row.updated_at),
    version: Number(row.version),
  };
}

export function readRolloutEvent(row: Row): RolloutEvent {
  const evidence = row.evidence;
  return {
    id: String(row.id),
    at: readTime(row.at),
    fromShare: Number(row.from_share),
    toShare: Number(row.to_share),
    cause: String(row.cause),
    evidence:
      evidence === null || evidence === undefined
        ? null
        : typeof evidence === 'string'
          ? JSON.parse(evidence)
          : (evidence as Record<string, unknown>),
  };
}

/** The shared SQL of the shadow summary: one row per pair, route and task type. */
export const SHADOW_SUMMARY_COLUMNS = `from_model, to_model, route, task_type, count(*) AS pairs,
  count(agreement) AS scored, sum(agreement) AS agreed, sum(primary_cost_usd) AS primary_cost,
  sum(cost_usd) AS shadow_cost`;
