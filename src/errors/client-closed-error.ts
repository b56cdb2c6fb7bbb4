import { GatewayError } from './gateway-error.js';

/** The client went away; nothing is sent, but the attempt is recorded with this status (499). */
export class ClientClosedError extends GatewayError {
  readonly status = 499;
  readonly type = 'client_closed_request';

  constructor() {
    super({ message: 'The client closed the request before it completed.', code: 'client_closed' });
  }
}
