import { GatewayError } from './gateway-error.js';

/** Missing or wrong gateway API key (401). */
export class AuthenticationError extends GatewayError {
  readonly status = 401;
  readonly type = 'authentication_error';

  constructor(options: { message: string }) {
    super({ message: options.message, code: 'invalid_api_key' });
  }
}
