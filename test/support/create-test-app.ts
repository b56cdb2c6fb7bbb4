import { pino } from 'pino';
import { parseConfig } from '../../src/config/index.js';
import type { ChatModel } from '../../src/contract/index.js';
import { OpenAICompatibleChatModel } from '../../src/providers/openai-compatible/index.js';
import { ModelResolver } from '../../src/routing/index.js';
import { createApp } from '../../src/server/index.js';
import { FakeUpstream } from './fake-upstream.js';

/** The real app in-process, with one OpenAI-compatible model pointing at a loopback fake upstream. */
export async function createTestApp(options: { bodyLimitBytes?: number; apiKey?: string } = {}) {
  const upstream = await FakeUpstream.start();
  const config = parseConfig(
    {
      models: {
        cloud: { provider: 'openai-compatible', baseUrl: `${upstream.url}/v1`, model: 'gpt-4o-mini' },
      },
      routing: { default: 'cloud', aliases: { 'gpt-4o': 'auto', 'gpt-4o-mini': 'cloud' } },
      server: { bodyLimitBytes: options.bodyLimitBytes ?? 4096 },
    },
    'test',
  );
  const models = new Map<string, ChatModel>();
  for (const [name, model] of Object.entries(config.models)) {
    if (model.provider === 'openai-compatible')
      models.set(name, new OpenAICompatibleChatModel({ name, config: model, env: {} }));
  }
  const app = createApp({
    server: config.server,
    models,
    resolver: new ModelResolver({ models, routing: config.routing }),
    logger: pino({ level: 'silent' }),
    apiKey: options.apiKey,
  });
  await app.ready();
  return {
    app,
    upstream,
    async close() {
      await app.close();
      await Promise.all([...models.values()].map((model) => model.close()));
      await upstream.close();
    },
  };
}
