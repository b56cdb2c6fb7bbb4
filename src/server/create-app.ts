import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { PriceBook } from '../accounting/index.js';
import { computeConfigHash, type SwitchyardConfig } from '../config/index.js';
import type { ChatModel } from '../contract/index.js';
import { AuthenticationError, NotFoundError } from '../errors/index.js';
import { ChatExecutor, ModelResolver, type TaskClassifier } from '../routing/index.js';
import type { RequestLog } from '../storage/index.js';
import { GatewayMetrics } from '../telemetry/index.js';
import { ChatRequestRecorder } from './chat-request-recorder.js';
import { checkBearerToken } from './check-bearer-token.js';
import { convertErrorToGatewayError } from './convert-error-to-response.js';
import { createRequestId } from './create-request-id.js';
import { registerChatCompletionsRoute } from './routes/chat-completions-route.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerMetricsRoute } from './routes/metrics-route.js';
import { registerModelsRoute } from './routes/models-route.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the chat route has written this request's record (and its log line). */
    chatRecorded: boolean;
  }
}

export interface AppOptions {
  config: SwitchyardConfig;
  models: ReadonlyMap<string, ChatModel>;
  logger: FastifyBaseLogger;
  /** The gateway API key, when `server.apiKeyEnv` names one. */
  apiKey?: string | undefined;
  /** Where request rows go (none: no request log). */
  requestLog?: RequestLog | undefined;
  /** Also export the process's CPU, memory and event-loop metrics (default true). */
  processMetrics?: boolean;
  /** Replaces the heuristic task classifier. */
  classifier?: TaskClassifier;
}

const headerDeadlines = new WeakMap<Socket, NodeJS.Timeout>();

/**
 * Node expires half-sent requests only on its periodic connection check, and that check misses a
 * socket still sending headers while others on the server complete requests (reproduced on Node
 * 20 with plain node:http). So a new connection gets its own deadline: send a complete request
 * head within `requestTimeoutMs`, or be closed. Slow bodies are left to Node's requestTimeout.
 */
function guardSlowConnections(server: Server, requestTimeoutMs: number): void {
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), requestTimeoutMs);
    timer.unref();
    headerDeadlines.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (request: IncomingMessage) => {
    const timer = headerDeadlines.get(request.socket);
    if (timer) {
      clearTimeout(timer);
      headerDeadlines.delete(request.socket);
    }
  });
}

/** The HTTP gateway: OpenAI-compatible routes plus health, every error in OpenAI's envelope. */
export function createApp(options: AppOptions): FastifyInstance {
  const { config, models } = options;
  const server = config.server;
  const priceBook = new PriceBook({ models: config.models, baseline: config.routing.baseline });
  const unpriced = priceBook.listUnpriced();
  if (unpriced.length > 0) {
    options.logger.warn(
      { models: unpriced },
      'no price configured or built in for these models: their requests are logged with an unknown (NULL) cost and counted in switchyard_unpriced_attempts_total; set models.<name>.price',
    );
  }
  const resolver = new ModelResolver({
    models,
    routing: config.routing,
    ...(options.classifier ? { classifier: options.classifier } : {}),
  });
  const executor = new ChatExecutor({ models, routing: config.routing, priceBook });
  const metrics = new GatewayMetrics(
    {
      circuitStates: () => executor.circuitStates(),
      queueDepths: () =>
        [...models.values()].flatMap((model) => {
          const depth = model.queueDepth?.();
          return depth ? [{ model: model.name, ...depth }] : [];
        }),
      requestLogPendingRows: () => options.requestLog?.pendingRows ?? 0,
      requestLogFailedRows: () => options.requestLog?.failedRows ?? 0,
    },
    { processMetrics: options.processMetrics ?? true },
  );
  const recorder = new ChatRequestRecorder({
    requestLog: options.requestLog,
    metrics,
    priceBook,
    content: config.storage.content,
    configHash: computeConfigHash(config),
  });
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger,
    // One log line per request comes from our onResponse hook, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (about 1 KB and a microsecond each): every per-request line
    // names its `requestId` itself.
    childLoggerFactory: (logger) => logger,
    bodyLimit: server.bodyLimitBytes,
    requestTimeout: server.requestTimeoutMs,
    // Node checks request and header deadlines only every `connectionsCheckingInterval` (30 s by
    // default), so a slowloris client could hold a socket 30 s past its deadline.
    http: {
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(server.requestTimeoutMs / 2))),
      headersTimeout: server.requestTimeoutMs,
    },
    keepAliveTimeout: server.keepAliveTimeoutMs,
    requestIdHeader: false,
    genReqId: (request) => createRequestId(request.headers['x-request-id']),
    return503OnClosing: true,
    // Malformed or timed-out requests never reach a route: answer them in OpenAI's envelope too.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return;
      const timeout = (error as NodeJS.ErrnoException).code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const body = JSON.stringify({
        error: timeout
          ? {
              message: 'The request was not received in time.',
              type: 'invalid_request_error',
              code: 'request_timeout',
              param: null,
            }
          : {
              message: 'The request is not valid HTTP.',
              type: 'invalid_request_error',
              code: 'bad_request',
              param: null,
            },
      });
      socket.end(
        `HTTP/1.1 ${timeout ? '408 Request Timeout' : '400 Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    forceCloseConnections: 'idle',
  });
  // Only JSON is accepted; a text/plain body should be a clear 415, not a confusing 400.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('chatRecorded', false);
  guardSlowConnections(app.server, server.requestTimeoutMs);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (options.apiKey && request.url.startsWith('/v1/')) {
      if (!checkBearerToken(request.headers.authorization, options.apiKey)) {
        throw new AuthenticationError({
          message: 'Missing or invalid API key: send it as "Authorization: Bearer <key>".',
        });
      }
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    // Chat requests get one richer line from their recorder instead.
    if (request.chatRecorded) return;
    request.log.info(
      {
        requestId: request.id,
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        model: reply.getHeader('x-switchyard-model'),
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
  });

  app.setErrorHandler((error, request, reply) => {
    const gatewayError = convertErrorToGatewayError(error, {
      bodyLimitBytes: server.bodyLimitBytes,
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
    });
    if (gatewayError.status >= 500 && gatewayError.code === 'internal_error') {
      request.log.error({ err: error, requestId: request.id }, 'unhandled error');
    }
    if (gatewayError.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(gatewayError.retryAfterSeconds));
    reply.status(gatewayError.status).send(gatewayError.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new NotFoundError({
      method: request.method,
      url: request.url.split('?')[0] ?? request.url,
    });
    reply.status(error.status).send(error.toJSON());
  });

  registerChatCompletionsRoute(app, { resolver, executor, recorder });
  registerModelsRoute(app, { resolver, models });
  registerHealthRoutes(app, { models, executor });
  registerMetricsRoute(app, { metrics });
  return app;
}
