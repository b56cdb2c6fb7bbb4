import type { FastifyInstance } from 'fastify';
import type { ChatModel } from '../../contract/index.js';

/** `/health`: the process answers. `/ready`: every model is loaded and configured (503 if not). */
export function registerHealthRoutes(
  app: FastifyInstance,
  options: { models: ReadonlyMap<string, ChatModel> },
): void {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const models: Record<string, unknown> = {};
    let ready = true;
    for (const [name, model] of options.models) {
      const readiness = model.readiness();
      ready &&= readiness.ready;
      models[name] = {
        provider: model.provider,
        ready: readiness.ready,
        ...(readiness.detail ? { detail: readiness.detail } : {}),
      };
    }
    reply.status(ready ? 200 : 503);
    return { ready, models };
  });
}
