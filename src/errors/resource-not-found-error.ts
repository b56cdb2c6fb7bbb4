import { GatewayError } from './gateway-error.js';

/** A named thing the request refers to does not exist: a tenant, a key, a logged request (404). */
export class ResourceNotFoundError extends GatewayError {
  readonly status = 404;
  readonly type = 'invalid_request_error';

  constructor(options: { message: string; code: string; param?: string }) {
    super(options);
  }
}
