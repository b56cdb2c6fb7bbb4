import type { Attempt } from './attempt.js';
import type { RouteDecision } from './route-decision.js';
import type { EscalationReason, RouteReason } from './route-reason.js';
import type { Usage } from './usage.js';

/** The answer check that failed, and whether the escalation target's answer replaced it. */
export interface EscalationOutcome {
  from: string;
  to: string;
  why: EscalationReason;
  detail: string;
  /** True when the client got an escalation attempt's answer. */
  escalated: boolean;
}

/** Durations of one request, in milliseconds. */
export interface RequestTimings {
  /** Arrival to the last byte of the answer. */
  latencyMs: number;
  /** Arrival to the first answer byte sent to the client; null when none was sent. */
  ttftMs: number | null;
  /** Time spent waiting on models: every attempt's latency together. */
  upstreamMs: number;
  /** Time spent waiting between retries. */
  backoffMs: number;
  /** What the gateway itself added: latency minus upstream and backoff time. */
  overheadMs: number;
}

/**
 * The one record of a request, built once when it ends. The response's route headers and cost
 * trailers, the request-log rows, the metrics and the log line are all views of it.
 */
export interface RequestOutcome {
  /** UUIDv7 (or the client's own `x-request-id`): also the request-log row id. */
  id: string;
  /** The inbound API it arrived on. */
  api: 'openai';
  /** Arrival, epoch milliseconds. */
  startedAt: number;
  tenant: string | null;
  /** The virtual key that authorised the request, when keys are on. */
  keyId: string | null;
  /** The client's end-user id (`user` in the body). */
  user: string | null;
  requestedModel: string | null;
  stream: boolean;
  /** The routing decision; null when the request was refused before routing. */
  decision: RouteDecision | null;
  /** Why the answer came from where it came from; null when the request was refused before routing. */
  reason: RouteReason | null;
  /** `reason` rendered as the one sentence headers and logs carry. */
  reasonText: string | null;
  escalation: EscalationOutcome | null;
  attempts: Attempt[];
  /** The model whose answer the client got; null when no answer was served. */
  servedModel: string | null;
  /** HTTP status the client saw (499: it disconnected first). */
  status: number;
  /** Why the request failed, or how a stream already answered with 200 ended badly. */
  error: { code: string; message: string } | null;
  /** Usage of the answer the client got (a stream cut short: what was generated, counted). */
  usage: Usage | null;
  /** USD of every attempt together (a discarded small-model answer included); null if a price is unknown. */
  costUsd: number | null;
  /** What the baseline model would have charged for the answer's tokens; null when not known. */
  baselineCostUsd: number | null;
  timings: RequestTimings;
  /** sha256 of the effective config that served the request. */
  configHash: string;
  /** Prompt and answer as the content-logging setting keeps them (null for `none`). */
  content: { request: string | null; response: string | null };
}
