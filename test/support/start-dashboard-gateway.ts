import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAIAnswer, FakeUpstream } from './fake-upstream.js';
import { startCliServer } from './start-cli-server.js';

const gguf = new URL('../../../shared/models/stories260K.gguf', import.meta.url).pathname;

export interface DashboardGateway {
  url: string;
  /** The request log's SQLite file. */
  database: string;
  /** The config file, for CLI commands against the same store. */
  config: string;
  upstream: FakeUpstream;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `switchyard serve` with the embedded fixture model (`local`), a fake OpenAI (`cloud`, baseline),
 * a model with no price (`mystery`), one that fails and falls back to cloud (`flaky`) and one that
 * fails with no fallback (`broken`), and a shadow `judge` that agrees on answers about France; auto requests escalate from local to cloud on low confidence,
 * and PII stays local. `adminKey` turns the dashboard's login on.
 */
export async function startDashboardGateway(
  options: {
    adminKey?: string;
    /** Virtual keys on (`auth.mode: keys`); needs `adminKey`. */
    keys?: boolean;
    /** More lines under `routing:` (shadow, rollout), indented by two spaces. */
    routing?: string;
    /** More top-level config (feedback metrics). */
    extra?: string;
  } = {},
): Promise<DashboardGateway> {
  const upstream = await FakeUpstream.start();
  const failing = await FakeUpstream.start(() => ({
    status: 503,
    json: { error: { message: 'down', type: 'server_error' } },
  }));
  // A judge for shadow pairs: it finds answers about France in agreement, and no others.
  const judge = await FakeUpstream.start((body) =>
    createOpenAIAnswer({ content: JSON.stringify(body).includes('France') ? 'AGREE' : 'DISAGREE' }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-dashboard-'));
  const database = join(dir, 'log.db');
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(
    config,
    `models:
  local: { provider: llama-cpp, model: ${gguf}, contextSize: 1024, threads: 1, gpu: false }
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
  mystery: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: mystery-model-1 }
  flaky: { provider: openai-compatible, baseUrl: "${failing.url}/v1", model: gpt-4o-mini }
  broken: { provider: openai-compatible, baseUrl: "${failing.url}/v1", model: gpt-4o-mini }
  judge: { provider: openai-compatible, baseUrl: "${judge.url}/v1", model: gpt-4o-mini }
routing:
  default: local
  baseline: cloud
  escalation: { from: local, to: cloud, minConfidence: 0.999 }
  fallbacks: { flaky: [cloud] }
  residency: { pii: local }
  retries: { maxRetries: 0 }
${options.routing ?? ''}storage: { sqlite: { path: "${database}" }, flushIntervalMs: 50 }
${options.adminKey ? `auth: { ${options.keys ? 'mode: keys, ' : ''}adminKeyEnv: DASHBOARD_ADMIN_KEY }\n` : ''}logging: { level: warn }
${options.extra ?? ''}`,
  );
  try {
    const server = await startCliServer(['--config', config], {
      OPENAI_API_KEY: 'sk-test',
      ...(options.adminKey ? { DASHBOARD_ADMIN_KEY: options.adminKey } : {}),
    });
    return {
      url: server.url,
      database,
      config,
      upstream,
      output: server.output,
      async stop() {
        await server.stop();
        await Promise.all([upstream.close(), failing.close(), judge.close()]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all([upstream.close(), failing.close(), judge.close()]);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The known traffic of the dashboard tests: what each request is and the body it sends. */
export const KNOWN_TRAFFIC = [
  {
    name: 'local',
    body: { model: 'local', messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 8 },
  },
  {
    name: 'xss',
    body: {
      model: 'local',
      messages: [
        { role: 'user', content: '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">' },
      ],
      max_tokens: 8,
    },
  },
  { name: 'cloud', body: { model: 'cloud', messages: [{ role: 'user', content: 'Hello cloud' }] } },
  {
    name: 'escalation',
    body: { model: 'auto', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 },
  },
  { name: 'fallback', body: { model: 'flaky', messages: [{ role: 'user', content: 'Fall back please' }] } },
  { name: 'error', body: { model: 'broken', messages: [{ role: 'user', content: 'This one fails' }] } },
  {
    name: 'pii',
    body: {
      model: 'cloud',
      messages: [{ role: 'user', content: 'Mail jane.doe@example.com the story' }],
      max_tokens: 8,
    },
  },
  { name: 'unpriced', body: { model: 'mystery', messages: [{ role: 'user', content: 'Who prices me?' }] } },
] as const;

/** Sends the known traffic in order; returns each request's id by name. */
export async function sendKnownTraffic(
  url: string,
  headers: Record<string, string> = {},
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const { name, body } of KNOWN_TRAFFIC) {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    ids[name] = response.headers.get('x-request-id') as string;
  }
  return ids;
}
