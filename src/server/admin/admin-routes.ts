import type { FastifyInstance } from 'fastify';
import { AuthenticationError } from '../../errors/index.js';
import type { TenantAdmin } from '../../gateway/index.js';
import { checkBearerToken } from '../check-bearer-token.js';

/**
 * `/admin/v1`: tenants and keys, authorised by the admin key (`auth.adminKeyEnv`). The same
 * operations as the `tenants` and `keys` CLI commands, with the same validation.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  options: { admin: TenantAdmin; adminKey: string },
): void {
  const { admin } = options;
  app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        if (!checkBearerToken(request.headers.authorization, options.adminKey)) {
          throw new AuthenticationError({
            message: 'Missing or invalid admin key: send it as "Authorization: Bearer <key>".',
          });
        }
      });
      scope.post('/tenants', async (request, reply) =>
        reply.code(201).send(await admin.createTenant(request.body)),
      );
      scope.get('/tenants', async () => ({ object: 'list', data: await admin.listTenants() }));
      scope.get<{ Params: { name: string } }>('/tenants/:name/usage', async (request) =>
        admin.describeUsage(request.params.name),
      );
      scope.post('/keys', async (request, reply) =>
        reply.code(201).send(await admin.createKey(request.body)),
      );
      scope.get<{ Querystring: { tenant?: string } }>('/keys', async (request) => ({
        object: 'list',
        data: await admin.listKeys(request.query.tenant),
      }));
      scope.delete<{ Params: { id: string } }>('/keys/:id', async (request) =>
        admin.revokeKey(request.params.id),
      );
    },
    { prefix: '/admin/v1' },
  );
}
