import { UpstreamError } from '../../errors/index.js';

/** Pulls a human message and code out of the error bodies OpenAI- and Anthropic-style APIs send. */
function describeErrorBody(bodyText: string): { message: string; code: string | undefined; param?: string } {
  try {
    const body = JSON.parse(bodyText) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = body.error;
    if (error && typeof error === 'object') {
      const { message, code, type, param } = error as Record<string, unknown>;
      return {
        message: typeof message === 'string' ? message : JSON.stringify(error),
        code: typeof code === 'string' ? code : typeof type === 'string' ? type : undefined,
        ...(typeof param === 'string' ? { param } : {}),
      };
    }
    if (typeof error === 'string') return { message: error, code: undefined };
    if (typeof body.message === 'string') return { message: body.message, code: undefined };
    if (typeof body.detail === 'string') return { message: body.detail, code: undefined };
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const text = bodyText.trim().slice(0, 300);
  return { message: text || '(empty body)', code: undefined };
}

export function parseRetryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * Maps an upstream's non-2xx answer to the error the client sees. Request problems the client
 * caused keep their 4xx; upstream faults become 502; rate limits stay 429 with their Retry-After.
 */
export function createUpstreamError(options: {
  modelName: string;
  status: number;
  bodyText: string;
  retryAfter?: string | string[] | undefined;
}): UpstreamError {
  const { modelName, status } = options;
  const detail = describeErrorBody(options.bodyText);
  const retryAfterSeconds = parseRetryAfterSeconds(options.retryAfter);
  const prefix = `Upstream '${modelName}' returned ${status}`;
  const common = {
    upstreamStatus: status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };

  if (status === 401 || status === 403) {
    return new UpstreamError({
      message: `${prefix}: it rejected the gateway's credentials (${detail.message}).`,
      code: 'upstream_authentication_failed',
      status: 502,
      isRetryable: false,
      ...common,
    });
  }
  if (status === 429) {
    return new UpstreamError({
      message: `${prefix}: ${detail.message}`,
      code: detail.code ?? 'rate_limit_exceeded',
      status: 429,
      type: 'rate_limit_error',
      isRetryable: true,
      ...common,
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return new UpstreamError({
      message: `${prefix}: ${detail.message}`,
      code: 'upstream_error',
      status: 502,
      isRetryable: true,
      ...common,
    });
  }
  if (status === 404) {
    // The client's model name was already resolved here, so a 404 means the upstream lacks the
    // configured model or the base URL is wrong: a gateway fault, not the client's.
    return new UpstreamError({
      message: `${prefix} (check models.${modelName}.model and baseUrl): ${detail.message}`,
      code: 'upstream_not_found',
      status: 502,
      isRetryable: false,
      ...common,
    });
  }
  return new UpstreamError({
    message: `${prefix}: ${detail.message}`,
    code: detail.code ?? 'upstream_invalid_request',
    status: status >= 400 && status < 500 ? status : 502,
    isRetryable: false,
    ...(detail.param ? { param: detail.param } : {}),
    ...common,
  });
}
