import { GatewayError } from './gateway-error.js';

/** The key is valid but may not do this, e.g. use a model outside its allowed list (403). */
export class PermissionDeniedError extends GatewayError {
  readonly status = 403;
  readonly type = 'permission_denied';

  constructor(options: { message: string; code: string; param?: string }) {
    super(options);
  }
}
