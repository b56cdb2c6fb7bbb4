import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from './fake-upstream.js';
import { startCliServer } from './start-cli-server.js';

const gguf = new URL('../../../shared/models/stories260K.gguf', import.meta.url).pathname;

/** A running `switchyard serve` process with an embedded and a cloud model, and its fake cloud. */
export interface HybridCliServer {
  /** `http://127.0.0.1:<port>/v1`, the base URL an OpenAI client takes. */
  baseUrl: string;
  upstream: FakeUpstream;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the built CLI with two models clients can force by name: `local` (stories260K on one
 * CPU thread) and `cloud` (a FakeUpstream speaking OpenAI). `auto` routes to `local`.
 */
export async function startHybridCliServer(): Promise<HybridCliServer> {
  const upstream = await FakeUpstream.start();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-'));
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(
    config,
    `models:
  local:
    provider: llama-cpp
    model: ${gguf}
    contextSize: 2048
    threads: 1
    gpu: false
  cloud:
    provider: openai-compatible
    baseUrl: ${upstream.url}/v1
    model: gpt-4o-mini
    apiKeyEnv: E2E_CLOUD_KEY
routing:
  default: local
logging: { level: warn }
`,
  );
  try {
    const server = await startCliServer(['--config', config], { E2E_CLOUD_KEY: 'sk-e2e' });
    return {
      baseUrl: `${server.url}/v1`,
      upstream,
      output: server.output,
      async stop() {
        await server.stop();
        await upstream.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
