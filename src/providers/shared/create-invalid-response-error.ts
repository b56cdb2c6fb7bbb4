import { UpstreamError } from '../../errors/index.js';

/** The upstream answered 2xx but with something we cannot read: retryable, since another target may do better. */
export function createInvalidResponseError(
  modelName: string,
  reason: string,
  cause?: unknown,
): UpstreamError {
  return new UpstreamError({
    message: `Upstream '${modelName}' sent an invalid response: ${reason}.`,
    code: 'upstream_invalid_response',
    status: 502,
    isRetryable: true,
    cause,
  });
}
