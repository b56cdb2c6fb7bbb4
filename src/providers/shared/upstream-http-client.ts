import type { TimeoutsConfig } from '../../config/index.js';
import {
  ClientClosedError,
  isGatewayError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../../errors/index.js';
import { createUpstreamError } from './create-upstream-error.js';
import type { Http1Exchange, Http1Response } from './http1-connection.js';
import { Http1Pool } from './http1-pool.js';

export interface UpstreamResponse {
  body: AsyncIterable<Uint8Array> & { text(): Promise<string>; json(): Promise<unknown> };
  /** Translates an error thrown while reading `body` into a gateway error. */
  convertError(error: unknown): Error;
}

// Idle pooled sockets close after this whatever the upstream advertises (Node servers say 60 s,
// some say minutes), so descriptors return to baseline; a shorter `Keep-Alive: timeout=` hint wins.
const IDLE_SOCKET_MS = 30_000;

/** Request headers the client writes itself: a caller's would break the message's framing. */
const FRAMING_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const UNSAFE_HEADER_VALUE = /[\r\n\0]/;

function createHeaderError(name: string): Error {
  return Object.assign(new TypeError(`invalid request header "${name}"`), { code: 'ERR_INVALID_HEADER' });
}

/**
 * One pooled HTTP(S) client per upstream target, with the three timeouts a gateway needs: connect,
 * first byte (also bounds silence between streamed chunks), and the whole call.
 *
 * Built on its own keep-alive HTTP/1.1 connections (`Http1Pool`) rather than node:http's client:
 * a request is one write and one parse on a connection whose listeners are set once, where
 * node:http builds a ClientRequest, an IncomingMessage and a dozen listeners per call. A plain
 * Node proxy spent 58 µs of CPU per request with node:http's client and 28 µs with a bare one, and
 * the gateway 175 -> 112 µs, 5,614 -> 8,760 requests/s (medians of six interleaved runs;
 * bench/gateway/RESULTS.md, round 7). undici, tried earlier, saved a few microseconds for about
 * 60 MB more resident memory.
 */
export class UpstreamHttpClient {
  private readonly pool: Http1Pool;
  private readonly url: URL;
  private readonly basePath: string;
  private readonly modelName: string;
  private readonly timeouts: TimeoutsConfig;

  constructor(options: {
    modelName: string;
    baseUrl: string;
    timeouts: TimeoutsConfig;
    maxConnections: number;
  }) {
    this.modelName = options.modelName;
    this.timeouts = options.timeouts;
    this.url = new URL(options.baseUrl);
    this.basePath = this.url.pathname.replace(/\/+$/, '');
    this.pool = new Http1Pool({
      url: this.url,
      maxConnections: options.maxConnections,
      idleMs: IDLE_SOCKET_MS,
      connectTimeoutMs: options.timeouts.connectMs,
    });
  }

  /** POSTs JSON and resolves once response headers arrive; non-2xx answers become thrown errors. */
  async postJson(options: {
    path: string;
    headers: Record<string, string>;
    body: unknown;
    signal: AbortSignal;
  }): Promise<UpstreamResponse> {
    const totalTimeout = { aborted: false };
    const convertError = (error: unknown): Error =>
      this.convertError(error, { clientSignal: options.signal, totalTimeout });
    if (options.signal.aborted) throw new ClientClosedError();
    let message: string;
    try {
      message = this.writeMessage(options.path, options.headers, JSON.stringify(options.body));
    } catch (error) {
      throw convertError(error);
    }

    let response: Http1Response;
    try {
      response = await new Promise<Http1Response>((resolve, reject) => {
        const model = this.modelName;
        const { connectMs, firstByteMs } = this.timeouts;
        const exchange: Http1Exchange = {
          message,
          idleTimeoutMs: firstByteMs,
          onResponse: resolve,
          onError: reject,
          // Called once, however the exchange ends: the body read, failed, or cancelled.
          onEnd: () => {
            clearTimeout(timer);
            options.signal.removeEventListener('abort', onClientAbort);
          },
          createTimeoutError: (phase) =>
            new UpstreamTimeoutError({
              model,
              phase,
              timeoutMs: phase === 'connect' ? connectMs : firstByteMs,
            }),
        };
        // One timer per call for the total budget (AbortSignal.timeout + AbortSignal.any per
        // request cost more on the hot path); whatever is in flight fails, a body being read too.
        const timer = setTimeout(() => {
          totalTimeout.aborted = true;
          this.pool.cancel(exchange, new Error('total timeout'));
        }, this.timeouts.totalMs);
        timer.unref();
        const onClientAbort = () => this.pool.cancel(exchange, new Error('client closed'));
        options.signal.addEventListener('abort', onClientAbort, { once: true });
        this.pool.start(exchange);
      });
    } catch (error) {
      throw convertError(error);
    }
    const { status, body } = response;
    if (status < 200 || status >= 300) {
      const bodyText = await body.text().catch(() => '');
      throw createUpstreamError({
        modelName: this.modelName,
        status,
        bodyText,
        retryAfter: response.headers['retry-after'],
      });
    }
    return { body, convertError };
  }

  /** The request as one string: request line, headers, the JSON body. */
  private writeMessage(path: string, headers: Record<string, string>, payload: string): string {
    let contentType = 'application/json';
    let extra = '';
    for (const name in headers) {
      const value = headers[name] as string;
      if (!HEADER_NAME.test(name) || UNSAFE_HEADER_VALUE.test(value)) throw createHeaderError(name);
      const lower = name.toLowerCase();
      if (lower === 'content-type') contentType = value;
      else if (!FRAMING_HEADERS.has(lower)) extra += `${name}: ${value}\r\n`;
    }
    return (
      `POST ${this.basePath}${path} HTTP/1.1\r\nHost: ${this.url.host}\r\nContent-Type: ${contentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: keep-alive\r\n${extra}\r\n${payload}`
    );
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
    // Called after the server has drained its requests: only idle sockets are left.
    this.pool.close();
  }
}
