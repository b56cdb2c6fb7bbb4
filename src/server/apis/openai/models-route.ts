import type { FastifyInstance } from 'fastify';
import type { ChatModel } from '../../../contract/index.js';
import { ModelNotFoundError } from '../../../errors/index.js';

/** `GET /v1/models`: `auto`, every configured model and every alias, in OpenAI's list format. */
export function registerModelsRoute(
  app: FastifyInstance,
  options: { listNames(): string[]; models: ReadonlyMap<string, ChatModel> },
): void {
  const created = Math.floor(Date.now() / 1000);
  const describe = (id: string) => ({
    id,
    object: 'model',
    created,
    owned_by: options.models.get(id)?.provider ?? 'switchyard',
  });

  app.get('/v1/models', async () => ({ object: 'list', data: options.listNames().map(describe) }));

  app.get<{ Params: { id: string } }>('/v1/models/*', async (request) => {
    const id = (request.params as Record<string, string>)['*'] ?? '';
    const names = options.listNames();
    if (!names.includes(id)) throw new ModelNotFoundError({ model: id, validNames: names });
    return describe(id);
  });
}
