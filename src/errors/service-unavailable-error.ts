import { GatewayError } from './gateway-error.js';

/** The gateway cannot serve right now: a model is still loading, a queue wait timed out (503). */
export class ServiceUnavailableError extends GatewayError {
  readonly status = 503;
  readonly type = 'server_error';
  override readonly isRetryable = true;
  override readonly retryAfterSeconds: number | undefined;

  constructor(options: { message: string; code: string; retryAfterSeconds?: number; cause?: unknown }) {
    super(options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
