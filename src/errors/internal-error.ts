import { GatewayError } from './gateway-error.js';

/** A failure of the gateway itself (a bug): the client gets a generic 500, the log the detail. */
export class InternalError extends GatewayError {
  readonly status = 500;
  readonly type = 'server_error';

  constructor(options: { cause?: unknown } = {}) {
    super({
      message: 'The gateway failed to process the request. It has been logged.',
      code: 'internal_error',
      cause: options.cause,
    });
  }
}
