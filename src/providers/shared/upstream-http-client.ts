import { Agent, request, errors as undiciErrors } from 'undici';
import type { TimeoutsConfig } from '../../config/index.js';
import {
  ClientClosedError,
  isGatewayError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../../errors/index.js';
import { createUpstreamError } from './create-upstream-error.js';

export interface UpstreamResponse {
  body: AsyncIterable<Uint8Array> & { text(): Promise<string>; json(): Promise<unknown> };
  /** Translates an error thrown while reading `body` into a gateway error. */
  convertError(error: unknown): Error;
}

/**
 * One pooled HTTP client per upstream target, with the three timeouts a gateway needs: connect,
 * first byte (also bounds silence between streamed chunks), and the whole call.
 */
export class UpstreamHttpClient {
  private readonly agent: Agent;
  private readonly modelName: string;
  private readonly baseUrl: string;
  private readonly timeouts: TimeoutsConfig;

  constructor(options: {
    modelName: string;
    baseUrl: string;
    timeouts: TimeoutsConfig;
    maxConnections: number;
  }) {
    this.modelName = options.modelName;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeouts = options.timeouts;
    this.agent = new Agent({
      connections: options.maxConnections,
      connect: { timeout: options.timeouts.connectMs },
      headersTimeout: options.timeouts.firstByteMs,
      bodyTimeout: options.timeouts.firstByteMs,
      keepAliveTimeout: 30_000,
      // Upstreams may advertise long keep-alive (Node servers say 60 s, some say minutes); idle
      // pooled sockets are closed after 30 s whatever they say, so descriptors return to baseline.
      keepAliveMaxTimeout: 30_000,
    });
  }

  /** POSTs JSON and resolves once response headers arrive; non-2xx answers become thrown errors. */
  async postJson(options: {
    path: string;
    headers: Record<string, string>;
    body: unknown;
    signal: AbortSignal;
  }): Promise<UpstreamResponse> {
    // One controller per call, aborted by the client or by the total timer, which is cleared when
    // the body ends (AbortSignal.timeout + AbortSignal.any per request cost more on the hot path).
    const controller = new AbortController();
    const totalTimeout = { aborted: false };
    const timer = setTimeout(() => {
      totalTimeout.aborted = true;
      controller.abort();
    }, this.timeouts.totalMs);
    timer.unref();
    const onClientAbort = () => controller.abort();
    if (options.signal.aborted) controller.abort();
    else options.signal.addEventListener('abort', onClientAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onClientAbort);
    };
    const convertError = (error: unknown): Error =>
      this.convertError(error, { clientSignal: options.signal, totalTimeout });
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(`${this.baseUrl}${options.path}`, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(options.body),
        signal: controller.signal,
      });
    } catch (error) {
      cleanup();
      throw convertError(error);
    }
    response.body.once('close', cleanup);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const bodyText = await response.body.text().catch(() => '');
      throw createUpstreamError({
        modelName: this.modelName,
        status: response.statusCode,
        bodyText,
        retryAfter: response.headers['retry-after'],
      });
    }
    return { body: response.body, convertError };
  }

  private convertError(
    error: unknown,
    signals: { clientSignal: AbortSignal; totalTimeout: { aborted: boolean } },
  ): Error {
    if (isGatewayError(error)) return error;
    if (signals.clientSignal.aborted) return new ClientClosedError();
    const model = this.modelName;
    if (signals.totalTimeout.aborted) {
      return new UpstreamTimeoutError({
        model,
        phase: 'total',
        timeoutMs: this.timeouts.totalMs,
        cause: error,
      });
    }
    if (error instanceof undiciErrors.ConnectTimeoutError) {
      return new UpstreamTimeoutError({
        model,
        phase: 'connect',
        timeoutMs: this.timeouts.connectMs,
        cause: error,
      });
    }
    if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
      return new UpstreamTimeoutError({
        model,
        phase: 'first-byte',
        timeoutMs: this.timeouts.firstByteMs,
        cause: error,
      });
    }
    const code = (error as { code?: string }).code;
    const reason = code ? `${code}: ${(error as Error).message}` : String((error as Error)?.message ?? error);
    return new UpstreamError({
      message: `Could not reach upstream '${model}' (${reason}).`,
      code: 'upstream_unreachable',
      status: 502,
      isRetryable: true,
      cause: error,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
