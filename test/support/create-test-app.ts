import { startTestGateway } from './start-test-gateway.js';

/** The real app in-process, with one OpenAI-compatible model pointing at a loopback fake upstream. */
export async function createTestApp(options: { bodyLimitBytes?: number; apiKey?: string } = {}) {
  const gateway = await startTestGateway({
    upstreams: ['cloud'],
    config: (urls) => ({
      models: {
        cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
      },
      routing: {
        default: 'cloud',
        aliases: { 'gpt-4o': 'auto', 'gpt-4o-mini': 'cloud' },
        retries: { maxRetries: 0 },
      },
      server: { bodyLimitBytes: options.bodyLimitBytes ?? 4096 },
    }),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  });
  return {
    app: gateway.app,
    upstream: gateway.upstreams.cloud as NonNullable<(typeof gateway.upstreams)['cloud']>,
    close: gateway.close,
  };
}
