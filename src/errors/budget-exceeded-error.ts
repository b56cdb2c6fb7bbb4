import { GatewayError } from './gateway-error.js';

/**
 * A budget the request falls under is spent (429). Not retryable by another target or soon after:
 * it resets at the start of the next period, which the message and Retry-After say.
 */
export class BudgetExceededError extends GatewayError {
  readonly status = 429;
  readonly type = 'insufficient_quota';
  override readonly retryAfterSeconds: number;

  constructor(options: { message: string; retryAfterSeconds: number }) {
    super({ message: options.message, code: 'budget_exceeded' });
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
