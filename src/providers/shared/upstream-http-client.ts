import { type Dispatcher, errors as undiciErrors } from 'undici';
import type { TimeoutsConfig } from '../../config/index.js';
import {
  ClientClosedError,
  isGatewayError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../../errors/index.js';
import { createUpstreamDispatcher } from './create-upstream-dispatcher.js';
import { createUpstreamError } from './create-upstream-error.js';
import {
  type ResponseLimits,
  type UpstreamResponseBody,
  UpstreamResponseHandler,
} from './upstream-response-handler.js';

export interface UpstreamResponse {
  body: UpstreamResponseBody;
  /** Translates an error thrown while reading `body` into a gateway error. */
  convertError(error: unknown): Error;
}

/** Request headers undici frames itself: a caller's would break or contradict the message. */
const FRAMING_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** What ended a call early, when something did. */
interface CallState {
  totalTimedOut: boolean;
}

/**
 * One pooled HTTP(S) client per upstream target, with the timeouts a gateway needs (connect, first
 * byte, silence between body chunks, the whole call) and size limits on what comes back (the body,
 * one streamed line). Runs on undici, which brings keep-alive pooling, strict response parsing,
 * HTTP/2 and proxies.
 */
export class UpstreamHttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly modelName: string;
  private readonly timeouts: TimeoutsConfig;
  private readonly limits: ResponseLimits;

  constructor(options: {
    modelName: string;
    baseUrl: string;
    timeouts: TimeoutsConfig;
    maxConnections: number;
    /** Offer HTTP/2 to https upstreams (ALPN decides); plain http stays HTTP/1.1. */
    http2?: boolean;
    /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read from. */
    env?: NodeJS.ProcessEnv;
    /** Certificate authorities to trust instead of Node's. */
    ca?: string;
  }) {
    this.modelName = options.modelName;
    this.timeouts = options.timeouts;
    const { modelName } = options;
    this.limits = {
      maxResponseBytes: options.timeouts.maxResponseBytes,
      maxEventBytes: options.timeouts.maxEventBytes,
      createTooLargeError: (limit, limitBytes) =>
        new UpstreamError({
          message:
            limit === 'maxResponseBytes'
              ? `Upstream '${modelName}' sent an answer larger than ${limitBytes} bytes (timeouts.maxResponseBytes).`
              : `Upstream '${modelName}' streamed a line longer than ${limitBytes} bytes (timeouts.maxEventBytes).`,
          code: limit === 'maxResponseBytes' ? 'upstream_response_too_large' : 'upstream_event_too_large',
          status: 502,
          isRetryable: true,
        }),
    };
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.dispatcher = createUpstreamDispatcher({
      timeouts: options.timeouts,
      maxConnections: options.maxConnections,
      http2: options.http2 ?? false,
      env: options.env ?? {},
      ca: options.ca,
    });
  }

  /** POSTs JSON and resolves once response headers arrive; non-2xx answers become thrown errors. */
  async postJson(options: {
    path: string;
    headers: Record<string, string>;
    body: unknown;
    signal: AbortSignal;
  }): Promise<UpstreamResponse> {
    const clientSignal = options.signal;
    if (clientSignal.aborted) throw new ClientClosedError();
    const state: CallState = { totalTimedOut: false };
    const convertError = (error: unknown): Error => this.convertError(error, clientSignal, state);
    let payload: string;
    try {
      payload = JSON.stringify(options.body);
    } catch (error) {
      throw convertError(error);
    }

    // The budget covers the body too: it ends when the exchange is over, however it ends.
    let timer: NodeJS.Timeout | undefined;
    const onClientAbort = () => handler.abort(new ClientClosedError());
    const finish = () => {
      clearTimeout(timer);
      clientSignal.removeEventListener('abort', onClientAbort);
    };
    const handler = new UpstreamResponseHandler(finish, this.limits);
    clientSignal.addEventListener('abort', onClientAbort, { once: true });
    timer = setTimeout(() => {
      state.totalTimedOut = true;
      handler.abort(new Error('total timeout'));
    }, this.timeouts.totalMs);
    timer.unref();

    let head: Awaited<UpstreamResponseHandler['head']>;
    try {
      this.dispatcher.dispatch(
        {
          origin: this.origin,
          path: `${this.basePath}${options.path}`,
          method: 'POST',
          headers: this.buildHeaders(options.headers),
          body: payload,
        },
        handler,
      );
      head = await handler.head;
    } catch (error) {
      finish();
      handler.abort(error as Error);
      throw convertError(error);
    }
    const { statusCode } = head;
    if (statusCode < 200 || statusCode >= 300) {
      const bodyText = await handler.body.text().catch(() => '');
      throw createUpstreamError({
        modelName: this.modelName,
        status: statusCode,
        bodyText,
        retryAfter: head.headers['retry-after'],
      });
    }
    return { body: handler.body, convertError };
  }

  /** The caller's headers less framing ones, with JSON as the default content type. */
  private buildHeaders(headers: Record<string, string>): Record<string, string> {
    const built: Record<string, string> = { 'content-type': 'application/json' };
    for (const name in headers) {
      const lower = name.toLowerCase();
      if (!FRAMING_HEADERS.has(lower)) built[lower] = headers[name] as string;
    }
    return built;
  }

  private convertError(error: unknown, clientSignal: AbortSignal, state: CallState): Error {
    if (isGatewayError(error)) return error;
    if (clientSignal.aborted) return new ClientClosedError();
    const model = this.modelName;
    if (state.totalTimedOut) {
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
    if (error instanceof undiciErrors.HeadersTimeoutError) {
      return new UpstreamTimeoutError({
        model,
        phase: 'first-byte',
        timeoutMs: this.timeouts.firstByteMs,
        cause: error,
      });
    }
    if (error instanceof undiciErrors.BodyTimeoutError) {
      return new UpstreamTimeoutError({
        model,
        phase: 'idle',
        timeoutMs: this.timeouts.idleMs,
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

  /** Waits for calls in flight, then closes every connection. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
