import type { Attempt, Usage } from '../../contract/index.js';
import type { EscalationReason } from '../escalation/check-answer.js';

/** What happened to one request across its attempts: filled in while it runs, read by the server. */
export interface ExecutionReport {
  attempts: Attempt[];
  /** The model whose answer the client gets; undefined while running or when all failed. */
  servedBy: string | undefined;
  /** True when the client got the escalation target's answer. */
  escalated: boolean;
  /** Set when the answer check failed (whether or not the escalation then succeeded). */
  escalation?: { from: string; to: string; reason: EscalationReason; detail: string };
  /** One sentence: why the answer came from where it came from. */
  reason: string;
  /** Time spent waiting between retries (not gateway overhead, not model time). */
  backoffMs: number;
  /** Usage of the answer the client got. */
  usage: Usage | undefined;
}

/** Total model time of a request: what the gateway waited on upstreams. */
export function sumAttemptMs(report: ExecutionReport): number {
  let total = 0;
  for (const attempt of report.attempts) total += attempt.latencyMs;
  return total;
}

/** What every attempt together cost; null when any attempt's price is unknown. */
export function sumAttemptCost(report: ExecutionReport): number | null {
  let total = 0;
  for (const attempt of report.attempts) {
    if (attempt.status === 'skipped') continue;
    if (attempt.costUsd === null) return null;
    total += attempt.costUsd;
  }
  // Sums of binary fractions drift in the last digits; round to a nano-dollar.
  return Math.round(total * 1e9) / 1e9;
}
