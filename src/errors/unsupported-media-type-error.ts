import { GatewayError } from './gateway-error.js';

/** The body is not JSON (415). */
export class UnsupportedMediaTypeError extends GatewayError {
  readonly status = 415;
  readonly type = 'invalid_request_error';

  constructor(options: { contentType: string | undefined }) {
    super({
      message: `Unsupported content type '${options.contentType ?? '(none)'}': send the body as application/json.`,
      code: 'unsupported_media_type',
    });
  }
}
