import { GatewayError } from './gateway-error.js';

/** The request would create something that exists already (409). */
export class ConflictError extends GatewayError {
  readonly status = 409;
  readonly type = 'invalid_request_error';

  constructor(options: { message: string; code: string; param?: string }) {
    super(options);
  }
}
