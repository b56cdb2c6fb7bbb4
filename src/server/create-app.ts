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

/** The HTTP gateway: OpenAI-compatible routes plus health, every error in OpenAI's envelope. */
export function createApp(options: AppOptions): FastifyInstance {
  const { config, models } = options;
  const server = config.server;
  const priceBook = new PriceBook({ models: config.models, baseline: config.routing.baseline });
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
    bodyLimit: server.bodyLimitBytes,
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.keepAliveTimeoutMs,
    requestIdHeader: false,
    genReqId: (request) => createRequestId(request.headers['x-request-id']),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  // Only JSON is accepted; a text/plain body should be a clear 415, not a confusing 400.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('chatRecorded', false);

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
