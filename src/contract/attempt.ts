import type { Usage } from './usage.js';

/**
 * Why a model was called: the routed target, a retry of it, a fallback, an escalation, or a shadow
 * call run beside the answer (never shown to the client) to compare two models on live traffic.
 */
export type AttemptRole = 'primary' | 'retry' | 'fallback' | 'escalation' | 'shadow';

/** One call to one model while serving a request (retries, fallbacks and escalations each add one). */
export interface Attempt {
  /** The configured model name. */
  model: string;
  /** Why this model was called: the routed target, a retry, a fallback, or an escalation. */
  role: AttemptRole;
  /** `ok`: it answered; `error`: it failed; `skipped`: not called (circuit open); `aborted`: client left. */
  status: 'ok' | 'error' | 'skipped' | 'aborted';
  /** The OpenAI-style error code when it failed, e.g. `upstream_error`, `upstream_timeout`. */
  errorCode?: string;
  errorMessage?: string;
  /** HTTP status of the failure as the gateway classifies it. */
  errorStatus?: number;
  /** From the call's start to its first answer part. */
  ttftMs?: number;
  latencyMs: number;
  usage?: Usage;
  /** USD; null when the model's price is unknown. */
  costUsd: number | null;
  /** Mean probability of the generated tokens, when the backend reported them (0..1). */
  confidence?: number;
  /** The model id the upstream says answered. */
  modelId?: string;
}
