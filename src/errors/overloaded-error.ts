import { GatewayError } from './gateway-error.js';

/**
 * A model's bounded queue is full (429). Retryable: another target, or the same one a little later,
 * can serve the request.
 */
export class OverloadedError extends GatewayError {
  readonly status = 429;
  readonly type = 'rate_limit_error';
  override readonly isRetryable = true;
  override readonly retryAfterSeconds: number;

  constructor(options: { message: string; retryAfterSeconds: number; code?: string }) {
    super({ message: options.message, code: options.code ?? 'queue_full' });
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
