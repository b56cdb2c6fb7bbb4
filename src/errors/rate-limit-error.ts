import { GatewayError } from './gateway-error.js';

/** A requests- or tokens-per-minute limit of the key or its tenant is reached (429). */
export class RateLimitError extends GatewayError {
  readonly status = 429;
  readonly type = 'rate_limit_error';
  override readonly retryAfterSeconds: number;

  constructor(options: { message: string; retryAfterSeconds: number }) {
    super({ message: options.message, code: 'rate_limit_exceeded' });
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
