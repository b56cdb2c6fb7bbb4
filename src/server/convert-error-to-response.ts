import {
  type GatewayError,
  InternalError,
  InvalidRequestError,
  isGatewayError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors/index.js';

interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * Turns anything thrown while handling a request into a GatewayError: ours pass through, Fastify's
 * parser errors become their 4xx, and the rest become a 500 (the only path to a 500).
 */
export function convertErrorToGatewayError(
  error: unknown,
  // Only request-parsing errors need these; a failure mid-stream passes none.
  request: { bodyLimitBytes?: number; contentType?: string } = {},
): GatewayError {
  if (isGatewayError(error)) return error;
  const framework = error as FrameworkError;
  switch (framework.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError({ limitBytes: request.bodyLimitBytes ?? 0 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new UnsupportedMediaTypeError({ contentType: request.contentType });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequestError({
        message: 'The request body is empty; send a JSON object.',
        code: 'invalid_body',
      });
    default:
      break;
  }
  if (framework.statusCode && framework.statusCode >= 400 && framework.statusCode < 500) {
    // JSON syntax errors, bad content-length and the like: the client's bytes are at fault.
    const isSyntax = error instanceof SyntaxError || framework.code === 'FST_ERR_CTP_INVALID_JSON_BODY';
    return new InvalidRequestError({
      message: isSyntax
        ? `The request body is not valid JSON: ${framework.message ?? 'parse error'}.`
        : (framework.message ?? 'The request is invalid.'),
      code: isSyntax ? 'invalid_json' : 'invalid_request',
    });
  }
  return new InternalError({ cause: error });
}
