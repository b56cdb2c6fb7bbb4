import type { Attempt, EscalationOutcome, Usage } from '../../contract/index.js';

/** Why a small model's answer stood although it failed its check. */
export type EscalationDeclined = 'residency' | 'target-failed-earlier' | 'escalation-failed';

/**
 * What happened while one request ran, written by the executor as it happens: every attempt, the
 * time spent backing off, who answered, the answer's usage, and the escalation check. The route
 * reason and the cost are derived from it once the request ends, never written into it.
 */
export class AttemptLog {
  readonly attempts: Attempt[] = [];
  backoffMs = 0;
  /** The model whose answer the client gets; undefined while running or when all failed. */
  servedBy: string | undefined;
  /** Usage of the answer the client gets. */
  usage: Usage | undefined;
  /** Set when the answer check failed, whether or not the escalation then answered. */
  escalation: EscalationOutcome | undefined;
  escalationDeclined: EscalationDeclined | undefined;

  /** Models that failed (or were skipped) on this request so far. */
  listFailedModels(): Set<string> {
    const failed = new Set<string>();
    for (const attempt of this.attempts) if (attempt.status !== 'ok') failed.add(attempt.model);
    return failed;
  }

  /** Time spent waiting on models: every attempt's latency together. */
  sumLatencyMs(): number {
    let total = 0;
    for (const attempt of this.attempts) total += attempt.latencyMs;
    return total;
  }
}
