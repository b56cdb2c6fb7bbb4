import { GatewayError } from './gateway-error.js';

/** One failed or skipped attempt, as the error lists it. */
export interface FailedAttemptSummary {
  model: string;
  /** e.g. `upstream 503: overloaded`, `timed out waiting for the first byte`, `circuit open`. */
  message: string;
}

/**
 * Every target a request could go to failed (or had its circuit open). The message lists each
 * attempt in order, so one error tells the whole story. The status is the last failure's (a 504
 * after a timeout, a 429 when everything was rate limited), or 503 when no target was even tried.
 */
export class AllTargetsFailedError extends GatewayError {
  readonly status: number;
  readonly type: string;
  override readonly retryAfterSeconds: number | undefined;
  readonly attempts: readonly FailedAttemptSummary[];

  constructor(options: {
    attempts: FailedAttemptSummary[];
    status: number;
    type: string;
    retryAfterSeconds?: number | undefined;
    cause?: unknown;
  }) {
    const list = options.attempts.map((attempt) => `${attempt.model}: ${attempt.message}`).join('; ');
    super({
      message: `Every target failed (${options.attempts.length} attempt${options.attempts.length === 1 ? '' : 's'}): ${list}.`,
      code: 'all_targets_failed',
      cause: options.cause,
    });
    this.status = options.status;
    this.type = options.type;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.attempts = options.attempts;
  }
}
