import type { ServerConfig } from '../config/index.js';
import { answerClientError } from './answer-client-error.js';

/** Without `server.headersTimeoutMs`: a request head comes in a packet or a few, so seconds suffice. */
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/** The time Node gives a request's head (the headers timeout may not exceed the request timeout). */
export function resolveHeadersTimeoutMs(server: ServerConfig): number {
  return server.headersTimeoutMs ?? Math.min(DEFAULT_HEADERS_TIMEOUT_MS, server.requestTimeoutMs);
}

/**
 * The server's limits on clients, as Fastify's and Node's own options: body size, the time to send
 * a request's head and whole request (both answered with a 408, silent connections included), and
 * idle keep-alive connections. Errors that never became a request get OpenAI's envelope too.
 */
export function createHttpServerOptions(server: ServerConfig) {
  const headersTimeout = resolveHeadersTimeoutMs(server);
  return {
    bodyLimit: server.bodyLimitBytes,
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.keepAliveTimeoutMs,
    http: {
      headersTimeout,
      // Node checks both deadlines only every `connectionsCheckingInterval` (30 s by default), so
      // a slow client would otherwise hold its socket that long past its deadline.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 2))),
    },
    clientErrorHandler: answerClientError,
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
  };
}
