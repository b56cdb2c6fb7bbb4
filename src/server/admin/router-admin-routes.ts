import type { FastifyInstance } from 'fastify';
import { AuthenticationError, InvalidRequestError } from '../../errors/index.js';
import { checkBearerToken } from '../check-bearer-token.js';

/** What reloading the router's models gave: the models now serving, and why a reload was refused. */
export type RouterReload =
  | { reloaded: true; modelHash: string; previousModelHash: string }
  | { reloaded: false; modelHash: string; error: string };

/**
 * `POST /admin/v1/router/reload`, authorised by the admin key: reads the router's model files
 * again (as SIGHUP does). A file that does not load is refused, and the models in use stay.
 */
export function registerRouterAdminRoutes(
  app: FastifyInstance,
  options: { adminKey: string; reloadRouter: () => RouterReload },
): void {
  app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        if (!checkBearerToken(request.headers.authorization, options.adminKey)) {
          throw new AuthenticationError({
            message: 'Missing or invalid admin key: send it as "Authorization: Bearer <key>".',
          });
        }
      });
      scope.post('/router/reload', async () => {
        const result = options.reloadRouter();
        if (!result.reloaded) {
          throw new InvalidRequestError({
            message: `${result.error}; still serving on router models ${result.modelHash}.`,
            code: 'router_model_invalid',
          });
        }
        return {
          object: 'router.reload',
          model_hash: result.modelHash,
          previous_model_hash: result.previousModelHash,
        };
      });
    },
    { prefix: '/admin/v1' },
  );
}
