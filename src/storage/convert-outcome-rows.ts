import type { RequestOutcome } from '../contract/index.js';

/** A row as the SQL boundary takes it: snake_case columns, plain values. */
export type OutcomeRow = Record<string, string | number | null>;

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
    if (features.routerModel !== undefined) scores.routerModel = features.routerModel;
  }
  scores.piiKinds = decision.piiKinds;
  scores.localOnly = decision.localOnly;
  return JSON.stringify(scores);
}

/**
 * The `requests` row of an outcome. Every store takes the same values: an ISO 8601 UTC string for
 * `started_at` (it sorts as it reads), 0/1 for flags, JSON text for `scores`.
 */
export function convertRequestRow(outcome: RequestOutcome): OutcomeRow {
  const { usage, decision, timings } = outcome;
  return {
    id: outcome.id,
    started_at: new Date(outcome.startedAt).toISOString(),
    tenant: outcome.tenant,
    key_id: outcome.keyId,
    user_id: outcome.user,
    requested_model: outcome.requestedModel,
    route: decision?.target ?? null,
    rule: decision?.rule ?? null,
    reason: outcome.reasonText,
    reason_kind: outcome.reason?.kind ?? null,
    scores: collectScores(outcome),
    task_type: decision?.features?.taskType ?? null,
    escalated: outcome.escalation?.escalated ? 1 : 0,
    escalation_reason: outcome.escalation?.why ?? null,
    final_model: outcome.servedModel,
    status: outcome.status,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    stream: outcome.stream ? 1 : 0,
    ttft_ms: timings.ttftMs,
    latency_ms: timings.latencyMs,
    overhead_ms: timings.overheadMs,
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

/** The `attempts` rows of an outcome, one per model call, in call order. */
export function convertAttemptRows(outcome: RequestOutcome): OutcomeRow[] {
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

/** Columns of the `requests` table, in the order `convertRequestRow` gives them. */
export const REQUEST_COLUMNS: readonly string[] = Object.keys(
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

/** Columns of the `attempts` table, in the order `convertAttemptRows` gives them. */
export const ATTEMPT_COLUMNS: readonly string[] = Object.keys(
  convertAttemptRows({
    id: '',
    attempts: [{ model: '', role: 'primary', status: 'ok', latencyMs: 0, costUsd: 0 }],
  } as unknown as RequestOutcome)[0] as OutcomeRow,
);
