import { GatewayError } from './gateway-error.js';

/** The request body is over `server.bodyLimitBytes` (413). */
export class PayloadTooLargeError extends GatewayError {
  readonly status = 413;
  readonly type = 'invalid_request_error';

  constructor(options: { limitBytes: number }) {
    super({
      message: `Request body is larger than the limit of ${options.limitBytes} bytes (server.bodyLimitBytes).`,
      code: 'payload_too_large',
    });
  }
}
