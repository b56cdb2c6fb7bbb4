import { GatewayError, type GatewayErrorOptions } from './gateway-error.js';

/** The client's request is malformed or asks for something this gateway cannot do (400). */
export class InvalidRequestError extends GatewayError {
  readonly status: number = 400;
  readonly type = 'invalid_request_error';

  constructor(options: Omit<GatewayErrorOptions, 'code'> & { code?: string }) {
    super({ ...options, code: options.code ?? 'invalid_request' });
  }
}
