import type { ChatModel } from '../../contract/index.js';
import { type GatewayError, isGatewayError, UpstreamError } from '../../errors/index.js';

/** Anything a provider threw, as a GatewayError (an unexpected throw counts as an upstream fault). */
export function toGatewayError(error: unknown, model: ChatModel): GatewayError {
  if (isGatewayError(error)) return error;
  return new UpstreamError({
    message: `Model '${model.name}' failed: ${(error as Error)?.message ?? String(error)}`,
    code: 'upstream_error',
    status: 502,
    isRetryable: false,
    cause: error,
  });
}

/**
 * A failure another target might not have: upstream faults, timeouts, rate limits, and a prompt
 * too long for this model's context. Anything else is the client's own request at fault and would
 * fail the same way everywhere, so it is returned as is.
 */
export function canFallBack(error: GatewayError): boolean {
  return error.status >= 500 || error.status === 429 || error.isRetryable || exceedsModelLimits(error);
}

/** The prompt or the requested output is too large for this model; a larger one may still serve. */
export function exceedsModelLimits(error: GatewayError): boolean {
  return (
    error.code === 'context_length_exceeded' ||
    (error.code === 'invalid_value' && error.param === 'max_tokens')
  );
}
