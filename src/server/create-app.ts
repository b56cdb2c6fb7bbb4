import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ServerConfig } from '../config/index.js';
import type { ChatModel } from '../contract/index.js';
import { AuthenticationError, NotFoundError } from '../errors/index.js';
import type { ModelResolver } from '../routing/index.js';
import { checkBearerToken } from './check-bearer-token.js';
import { convertErrorToGatewayError } from './convert-error-to-response.js';
import { createRequestId } from './create-request-id.js';
import { registerChatCompletionsRoute } from './routes/chat-completions-route.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerModelsRoute } from './routes/models-route.js';

export interface AppOptions {
  server: ServerConfig;
  models: ReadonlyMap<string, ChatModel>;
  resolver: ModelResolver;
  logger: FastifyBaseLogger;
  /** The gateway API key, when `server.apiKeyEnv` names one. */
  apiKey?: string | undefined;
}

/** The HTTP gateway: OpenAI-compatible routes plus health, every error in OpenAI's envelope. */
export function createApp(options: AppOptions): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger,
    // One log line per request comes from our onResponse hook, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.server.bodyLimitBytes,
    requestTimeout: options.server.requestTimeoutMs,
    keepAliveTimeout: options.server.keepAliveTimeoutMs,
    requestIdHeader: false,
    genReqId: (request) => createRequestId(request.headers['x-request-id']),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  // Only JSON is accepted; a text/plain body should be a clear 415, not a confusing 400.
  app.removeContentTypeParser('text/plain');

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
      bodyLimitBytes: options.server.bodyLimitBytes,
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

  registerChatCompletionsRoute(app, { resolver: options.resolver });
  registerModelsRoute(app, { resolver: options.resolver, models: options.models });
  registerHealthRoutes(app, { models: options.models });
  return app;
}
