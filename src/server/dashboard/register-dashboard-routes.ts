import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SwitchyardConfig } from '../../config/index.js';
import type { ChatModel } from '../../contract/index.js';
import { AuthenticationError, PermissionDeniedError } from '../../errors/index.js';
import type { ChatGateway } from '../../gateway/index.js';
import type { RequestLog, RequestStats, TenantStore } from '../../storage/index.js';
import { checkBearerToken } from '../check-bearer-token.js';
import { decideDashboardAccess, isAuthorized } from './dashboard-access.js';
import { loadDashboardAssets } from './dashboard-assets.js';
import { createSessionToken, describeClearedCookie, describeSessionCookie } from './dashboard-session.js';
import { describeHealth } from './describe-health.js';
import { registerStatsRoutes } from './stats-routes.js';

export interface DashboardOptions {
  config: SwitchyardConfig;
  models: ReadonlyMap<string, ChatModel>;
  gateway: ChatGateway;
  requestLog?: RequestLog | undefined;
  /** Statistics over the request log; without them only health is shown. */
  stats?: RequestStats | undefined;
  /** Tenants and keys, when virtual keys are on: their spend against budget. */
  tenants?: TenantStore | undefined;
  adminKey?: string | undefined;
  apiKey?: string | undefined;
}

// The page loads only its own files and calls only its own origin; user content never becomes markup.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The dashboard at `/dashboard` (the built page, from the package) and `/admin/v1/stats`, its one
 * data API. With a key configured both need it: the page logs in with a form and holds a session
 * cookie; scripts send the key as a bearer token. Neither is a chat request: nothing here is
 * written to the request log.
 */
export function registerDashboardRoutes(app: FastifyInstance, options: DashboardOptions): void {
  const access = decideDashboardAccess(options.config, options);
  const assets = loadDashboardAssets();
  const sendAsset = (reply: FastifyReply, path: string) => {
    const asset = assets.get(path);
    if (!asset) {
      const message = path === 'index.html' ? 'The dashboard is not built: run npm run build.' : 'Not found.';
      return reply.code(404).type('text/plain; charset=utf-8').send(message);
    }
    reply.headers(PAGE_HEADERS).type(asset.type);
    // Built file names carry their content hash; the page itself must always be fresh.
    reply.header('cache-control', path === 'index.html' ? 'no-store' : 'public, max-age=31536000, immutable');
    return reply.send(asset.body);
  };
  app.get('/dashboard', (_request, reply) => sendAsset(reply, 'index.html'));
  app.get<{ Params: { '*': string } }>('/dashboard/*', (request, reply) =>
    sendAsset(reply, request.params['*'] === '' ? 'index.html' : request.params['*']),
  );

  app.get('/dashboard/session', async (request) => ({
    mode: access.mode,
    authenticated: isAuthorized(access, request),
    ...(access.mode === 'locked' ? { reason: access.reason } : {}),
  }));
  app.post<{ Body: { key?: unknown } }>('/dashboard/login', async (request, reply) => {
    if (access.mode === 'locked') {
      throw new PermissionDeniedError({
        message: `The dashboard is off: ${access.reason}.`,
        code: 'dashboard_locked',
      });
    }
    if (access.mode === 'open') return reply.code(204).send();
    const key = typeof request.body?.key === 'string' ? request.body.key : '';
    if (!checkBearerToken(`Bearer ${key}`, access.key)) {
      throw new AuthenticationError({ message: 'That key is not the admin key.' });
    }
    reply.header(
      'set-cookie',
      describeSessionCookie(createSessionToken(access.key), request.protocol === 'https'),
    );
    return reply.code(204).send();
  });
  app.post('/dashboard/logout', async (_request, reply) =>
    reply.header('set-cookie', describeClearedCookie()).code(204).send(),
  );

  const localModels = [...options.models.values()]
    .filter((model) => model.isLocal)
    .map((model) => model.name);
  app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (isAuthorized(access, request)) return;
      if (access.mode === 'locked') {
        throw new PermissionDeniedError({
          message: `The dashboard is off: ${access.reason}.`,
          code: 'dashboard_locked',
        });
      }
      throw new AuthenticationError({
        message: 'Missing or invalid admin key: log in at /dashboard, or send "Authorization: Bearer <key>".',
      });
    });
    registerStatsRoutes(scope, {
      stats: options.stats,
      tenants: options.tenants,
      localModels,
      modelList: [...options.models.values()].map((model) => ({
        model: model.name,
        provider: model.provider,
        local: model.isLocal,
      })),
      health: () => describeHealth(options),
    });
  });
}
