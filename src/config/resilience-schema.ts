import { z } from 'zod';

/** Retries of one target on retryable failures (connect errors, timeouts, 408/409/429/5xx). */
export const retriesSchema = z.strictObject({
  /** Extra attempts on the same target before moving on to its fallbacks. */
  maxRetries: z.int().min(0).max(10).default(1),
  /** First backoff; doubles per retry, with jitter. */
  initialBackoffMs: z.int().nonnegative().default(200),
  maxBackoffMs: z.int().nonnegative().default(2_000),
  /**
   * A `Retry-After` up to this long is waited out; a longer one skips straight to the fallbacks
   * (no request should sit for a minute because one upstream is rate limited).
   */
  maxRetryAfterMs: z.int().nonnegative().default(5_000),
});

/** Per-target circuit breaker: stop sending traffic to a target that keeps failing. */
export const circuitBreakerSchema = z.strictObject({
  /** Consecutive failures that open the circuit. */
  failureThreshold: z.int().positive().default(5),
  /** How long an open circuit rejects before one probe request is let through (half-open). */
  cooldownMs: z.int().positive().default(30_000),
});

export type RetriesConfig = z.infer<typeof retriesSchema>;
export type CircuitBreakerConfig = z.infer<typeof circuitBreakerSchema>;
