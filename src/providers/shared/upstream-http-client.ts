import { once } from 'node:events';
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { TimeoutsConfig } from '../../config/index.js';
import type { CancelSignal } from '../../contract/index.js';
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

// Idle pooled sockets close after this whatever the upstream advertises (Node servers say 60 s,
// some say minutes), so descriptors return to baseline; a shorter `Keep-Alive: timeout=` hint wins.
const IDLE_SOCKET_MS = 30_000;

/**
 * One pooled HTTP(S) client per upstream target, with the three timeouts a gateway needs: connect,
 * first byte (also bounds silence between streamed chunks), and the whole call.
 *
 * Built on node:http rather than undici: under the gateway benchmark's load undici's client held
 * about 60 MB more resident memory for a few microseconds less CPU per call
 * (bench/gateway/RESULTS.md), and peak memory is the scarcer budget next to an SLM.
 */
export class UpstreamHttpClient {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
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
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxConnections,
      // Reuse the most recently used socket so that idle ones age out after a burst.
      scheduling: 'lifo' as const,
      timeout: IDLE_SOCKET_MS,
    };
    const tls = this.url.protocol === 'https:';
    this.agent = tls ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = tls ? httpsRequest : httpRequest;
  }

  /** POSTs JSON and resolves once response headers arrive; non-2xx answers become thrown errors. */
  async postJson(options: {
    path: string;
    headers: Record<string, string>;
    body: unknown;
    signal: CancelSignal;
  }): Promise<UpstreamResponse> {
    const payload = JSON.stringify(options.body);
    const totalTimeout = { aborted: false };
    const convertError = (error: unknown): Error =>
      this.convertError(error, { clientSignal: options.signal, totalTimeout });
    if (options.signal.aborted) throw new ClientClosedError();

    let request: ClientRequest | undefined;
    let response: IncomingMessage | undefined;
    // Ends the call from outside (client gone, total time, a timeout): whatever is in flight fails
    // with `error`, including a body being read.
    const stop = (error: Error) => {
      response?.destroy(error);
      request?.destroy(error);
    };
    // One timer per call for the total budget, cleared when the exchange closes (AbortSignal.timeout
    // + AbortSignal.any per request cost more on the hot path).
    const timer = setTimeout(() => {
      totalTimeout.aborted = true;
      stop(new Error('total timeout'));
    }, this.timeouts.totalMs);
    timer.unref();
    const onClientAbort = () => stop(new Error('client closed'));
    options.signal.addEventListener('abort', onClientAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onClientAbort);
    };

    try {
      response = await new Promise<IncomingMessage>((resolve, reject) => {
        request = this.send({
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: `${this.basePath}${options.path}`,
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...options.headers,
          },
        });
        // Stays attached for the whole exchange: a socket error after the headers surfaces through
        // the body instead, and an unheard 'error' would end the process.
        request.on('error', reject);
        request.once('socket', (socket) => this.watchSocket(request as ClientRequest, socket, stop));
        request.once('response', resolve);
        request.end(payload);
      });
    } catch (error) {
      cleanup();
      throw convertError(error);
    }
    const answer = response;
    answer.once('close', cleanup);
    const status = answer.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const bodyText = await readText(answer).catch(() => '');
      throw createUpstreamError({
        modelName: this.modelName,
        status,
        bodyText,
        retryAfter: answer.headers['retry-after'],
      });
    }
    const body = {
      [Symbol.asyncIterator]: () => iterateKeepingSocket(answer),
      text: () => readText(answer),
      json: async () => JSON.parse(await readText(answer)) as unknown,
    };
    return { body, convertError };
  }

  /**
   * Connect timeout on a new socket (through the TLS handshake), then the first-byte timeout as the
   * socket's idle limit: it bounds the wait for headers and every silence between body chunks.
   */
  private watchSocket(request: ClientRequest, socket: Socket, stop: (error: Error) => void): void {
    const model = this.modelName;
    const onIdle = () =>
      stop(new UpstreamTimeoutError({ model, phase: 'first-byte', timeoutMs: this.timeouts.firstByteMs }));
    const startAnswerClock = () => request.setTimeout(this.timeouts.firstByteMs, onIdle);
    if (!socket.connecting) {
      startAnswerClock();
      return;
    }
    const connectTimer = setTimeout(() => {
      stop(new UpstreamTimeoutError({ model, phase: 'connect', timeoutMs: this.timeouts.connectMs }));
    }, this.timeouts.connectMs);
    const connected = () => {
      clearTimeout(connectTimer);
      startAnswerClock();
    };
    socket.once(this.url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
    request.once('close', () => clearTimeout(connectTimer));
  }

  private convertError(
    error: unknown,
    signals: { clientSignal: CancelSignal; totalTimeout: { aborted: boolean } },
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
    this.agent.destroy();
  }
}

/** A whole body as UTF-8 text (multi-byte characters may straddle chunks). */
function readText(body: IncomingMessage): Promise<string> {
  // Events rather than `for await`: an async iterator per response costs measurably on the hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () =>
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      ),
    );
    body.once('error', reject);
    // A body destroyed before its end (client gone, a timeout) errors first; this settles the rest.
    // Only then: an Error (with its stack trace) built on every normal close cost about 3% of the
    // gateway's CPU.
    body.once('close', () => {
      if (!body.readableEnded) reject(new Error('aborted'));
    });
  });
}

/**
 * The body's chunks. A reader that stops early once the upstream has sent everything (an SSE reader
 * stops at `[DONE]`, often before the final empty chunk is read) drains the rest, so the socket goes
 * back to the pool instead of being destroyed; one that stops mid-body closes it.
 */
function iterateKeepingSocket(answer: IncomingMessage): AsyncIterableIterator<Uint8Array> {
  const chunks = answer.iterator({ destroyOnReturn: false });
  return {
    next: () => chunks.next(),
    async return() {
      await chunks.return?.();
      if (!answer.complete) answer.destroy();
      else if (!answer.readableEnded) {
        // Waiting for the end (already received) hands the socket back before the caller's next call.
        const ended = once(answer, 'end').catch(() => undefined);
        answer.resume();
        await ended;
      }
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
