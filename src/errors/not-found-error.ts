import { GatewayError } from './gateway-error.js';

/** No route for this method and path (404). */
export class NotFoundError extends GatewayError {
  readonly status = 404;
  readonly type = 'invalid_request_error';

  constructor(options: { method: string; url: string }) {
    super({ message: `Unknown request URL: ${options.method} ${options.url}.`, code: 'unknown_url' });
  }
}
