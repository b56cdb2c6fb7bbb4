import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { PriceBook } from '../accounting/index.js';
import type { SwitchyardConfig } from '../config/index.js';
import type { ChatModel } from '../contract/index.js';
import { AuthenticationError, NotFoundError, PayloadTooLargeError } from '../errors/index.js';
import { type Access, AccessControl, ChatGateway, FeedbackDesk, TenantAdmin } from '../gateway/index.js';
import type { TaskClassifier } from '../routing/index.js';
import type { EvidenceStore, FeedbackStore, QuotaStore, RequestLog, TenantStore } from '../storage/index.js';
import { ConnectionMetrics, GatewayMetrics } from '../telemetry/index.js';
import { registerAdminRoutes } from './admin/admin-routes.js';
import { type RouterReload, registerRouterAdminRoutes } from './admin/router-admin-routes.js';
import { registerChatCompletionsRoute, serveChatCompletion } from './apis/openai/chat-completions-route.js';
import { registerFeedbackRoute } from './apis/openai/feedback-route.js';
import { registerModelsRoute } from './apis/openai/models-route.js';
import { checkBearerToken } from './check-bearer-token.js';
import { convertErrorToGatewayError } from './convert-error-to-response.js';
import { createRequestId } from './create-request-id.js';
import { type DashboardOptions, registerDashboardRoutes } from './dashboard/register-dashboard-routes.js';
import { discardRefusedBody } from './discard-refused-body.js';
import { createHttpServerOptions } from './http-server-options.js';
import { resolveMaxConnections } from './resolve-max-connections.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerMetricsRoute } from './routes/metrics-route.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The request lifecycle's owner (its rollouts, for the CLI and tests). */
    chatGateway: ChatGateway;
  }
  interface FastifyRequest {
    /** The virtual key and tenant that authorised the request, when keys are on. */
    access?: Access;
  }
  interface FastifyContextConfig {
    /** The route's handler records each request itself (a request-log row and its own log line). */
    recordsItself?: boolean;
  }
}

/** The stores virtual keys need: tenants and keys, and where budgets and limits are counted. */
export interface KeyedAccessOptions {
  tenants: TenantStore;
  quotas: QuotaStore;
  /** Counts for this replica alone while the shared store is down (`state.onStoreDown: open`). */
  localQuotas: QuotaStore;
}

export interface AppOptions {
  config: SwitchyardConfig;
  models: ReadonlyMap<string, ChatModel>;
  logger: FastifyBaseLogger;
  /** The gateway API key, when `server.apiKeyEnv` names one. */
  apiKey?: string | undefined;
  /** Tenants, keys and quotas, for `auth.mode: keys`. */
  keys?: KeyedAccessOptions | undefined;
  /** The admin key that authorises `/admin/v1`, when `auth.adminKeyEnv` names one. */
  adminKey?: string | undefined;
  /** Where request rows go (none: no request log). */
  requestLog?: RequestLog | undefined;
  /** Statistics over the request log, for the dashboard and `/admin/v1/stats`. */
  stats?: DashboardOptions['stats'];
  /** Where shadow pairs and rollout state are kept (beside the request log). */
  evidence?: EvidenceStore | undefined;
  /** Also export the process's CPU, memory and event-loop metrics (default true). */
  processMetrics?: boolean;
  /** Replaces the heuristic task classifier. */
  classifier?: TaskClassifier;
  /** Where `POST /v1/feedback` keeps feedback (beside the request log). */
  feedback?: FeedbackStore | undefined;
  /** Reads the router's model files again (`POST /admin/v1/router/reload` with the admin key). */
  reloadRouter?: (() => RouterReload) | undefined;
}

/** The HTTP gateway: OpenAI-compatible routes plus health, every error in OpenAI's envelope. */
export function createApp(options: AppOptions): FastifyInstance {
  const { config, models } = options;
  const server = config.server;
  let gateway: ChatGateway | undefined;
  const metrics = new GatewayMetrics(
    {
      circuitStates: () => gateway?.circuitStates() ?? [],
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
  const priceBook = new PriceBook({ models: config.models, baseline: config.routing.baseline });
  const keys = config.auth.mode === 'keys' ? options.keys : undefined;
  if (config.auth.mode === 'keys' && !keys)
    throw new Error('auth.mode keys needs a tenant store and a quota store');
  const access = keys
    ? new AccessControl({
        tenants: keys.tenants,
        quotas: keys.quotas,
        localQuotas: keys.localQuotas,
        auth: config.auth,
        state: config.state,
        models,
        priceBook,
        logger: options.logger as Logger,
        onStoreError: () => metrics.countStateStoreError(),
        flushLog: async () => options.requestLog?.flush(),
      })
    : undefined;
  gateway = new ChatGateway({
    config,
    models,
    logger: options.logger as Logger,
    requestLog: options.requestLog,
    metrics,
    classifier: options.classifier,
    priceBook,
    access,
    evidence: options.evidence,
    feedback: options.feedback,
  });
  if (!access && !options.apiKey) {
    options.logger.warn(
      'the gateway is open: anyone who reaches it may call it (set auth.mode: keys, or server.apiKeyEnv for one shared token)',
    );
  }
  const unpriced = gateway.priceBook.listUnpriced();
  if (unpriced.length > 0) {
    options.logger.warn(
      { models: unpriced },
      'no price configured or built in for these models: their requests are logged with an unknown (NULL) cost and counted in switchyard_unpriced_attempts_total; set models.<name>.price',
    );
  }
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger,
    // One log line per request comes from our onResponse hook, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (an object and some work for every request, used by none):
    // every per-request line names its `requestId` itself.
    childLoggerFactory: (logger) => logger,
    ...createHttpServerOptions(server),
    requestIdHeader: false,
    genReqId: (request) => createRequestId(request.headers['x-request-id']),
  });
  const chatRoute = { gateway, models, streamWriteTimeoutMs: server.streamWriteTimeoutMs };
  // Past it, Node closes new connections at once ('drop'); each is counted.
  app.server.maxConnections = resolveMaxConnections(config);
  const connectionMetrics = new ConnectionMetrics(metrics.registry, {
    openConnections: () =>
      new Promise((resolve) => app.server.getConnections((error, count) => resolve(error ? 0 : count))),
  });
  app.server.on('drop', () => connectionMetrics.countRefused());
  // Only JSON is accepted; a text/plain body should be a clear 415, not a confusing 400.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (access && request.url.startsWith('/v1/')) {
      request.access = await access.authenticate(request.headers.authorization);
    } else if (options.apiKey && request.url.startsWith('/v1/')) {
      if (!checkBearerToken(request.headers.authorization, options.apiKey)) {
        throw new AuthenticationError({
          message: 'Missing or invalid API key: send it as "Authorization: Bearer <key>".',
        });
      }
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    // Chat requests get one richer line from the gateway instead.
    if (request.routeOptions.config.recordsItself) return;
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

  app.setErrorHandler(async (error, request, reply) => {
    const gatewayError = convertErrorToGatewayError(error, {
      bodyLimitBytes: server.bodyLimitBytes,
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
    });
    if (gatewayError instanceof PayloadTooLargeError) {
      // Fastify would close the connection under a client still sending; drop the rest instead.
      reply.removeHeader('connection');
      discardRefusedBody(request.raw, server.bodyDiscardLimitBytes);
    }
    // Refused before its handler ran (a body too large, not JSON, no key): still a chat request
    // the gateway records. Its handler never throws, so this runs at most once per request.
    if (request.routeOptions.config.recordsItself) {
      await serveChatCompletion(chatRoute, request, reply, gatewayError);
      return reply;
    }
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

  registerChatCompletionsRoute(app, chatRoute);
  registerModelsRoute(app, { listNames: () => gateway.resolver.listNames(), models });
  app.decorate('chatGateway', gateway);
  registerHealthRoutes(app, { models, gateway });
  // Settlements of budgets run after their answers; shutdown waits for them.
  app.addHook('onClose', async () => gateway.close());
  if (keys && options.adminKey) {
    const modelNames = [...models.keys()];
    registerAdminRoutes(app, {
      admin: new TenantAdmin({ store: keys.tenants, modelNames }),
      adminKey: options.adminKey,
    });
  }
  const desk = new FeedbackDesk({
    config: config.feedback,
    content: config.storage.content,
    store: options.feedback,
    requestLog: options.requestLog,
    metrics,
  });
  registerFeedbackRoute(app, { desk });
  if (options.adminKey && options.reloadRouter)
    registerRouterAdminRoutes(app, { adminKey: options.adminKey, reloadRouter: options.reloadRouter });
  registerDashboardRoutes(app, { ...options, gateway, tenants: keys?.tenants, stats: options.stats });
  registerMetricsRoute(app, { metrics });
  return app;
}
