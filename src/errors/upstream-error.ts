import { GatewayError } from './gateway-error.js';

/**
 * An upstream model API failed or answered with an error. `status` is what the client gets: the
 * upstream's own 4xx for request problems the client caused, 502 for upstream faults, 429 when the
 * upstream rate-limited us.
 */
export class UpstreamError extends GatewayError {
  readonly status: number;
  readonly type: string;
  override readonly isRetryable: boolean;
  override readonly retryAfterSeconds: number | undefined;
  /** The HTTP status the upstream returned, when it returned one. */
  readonly upstreamStatus: number | undefined;

  constructor(options: {
    message: string;
    code: string;
    status: number;
    type?: string;
    isRetryable: boolean;
    upstreamStatus?: number;
    retryAfterSeconds?: number;
    param?: string;
    cause?: unknown;
  }) {
    super(options);
    this.status = options.status;
    this.type = options.type ?? (options.status < 500 ? 'invalid_request_error' : 'upstream_error');
    this.isRetryable = options.isRetryable;
    this.upstreamStatus = options.upstreamStatus;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
