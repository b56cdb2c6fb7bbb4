import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = new URL('../../bin/switchyard.js', import.meta.url).pathname;

/**
 * The working directory of spawned CLIs: a fresh folder, so files they create relative to it (the
 * default ./switchyard.db request log) never land in the repository.
 */
export const CLI_WORK_DIR = mkdtempSync(join(tmpdir(), 'switchyard-cwd-'));
process.on('exit', () => rmSync(CLI_WORK_DIR, { recursive: true, force: true }));

/**
 * Writes `dir/switchyard.yaml`: one cloud target at `upstreamUrl`, its request log at `database`,
 * batches written only every `flushIntervalMs` (or at shutdown). Returns the config's path.
 */
export function writeRequestLogConfig(options: {
  dir: string;
  upstreamUrl: string;
  database: string;
  flushIntervalMs: number;
}): string {
  const config = join(options.dir, 'switchyard.yaml');
  writeFileSync(
    config,
    `models:
  cloud: { provider: openai-compatible, baseUrl: "${options.upstreamUrl}/v1", model: gpt-4o-mini }
routing: { default: cloud }
storage: { sqlite: { path: "${options.database}" }, flushIntervalMs: ${options.flushIntervalMs}, batchSize: 10000 }
logging: { level: warn }
`,
  );
  return config;
}

export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Runs a CLI command to completion and returns its exit code and output. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
    cwd: CLI_WORK_DIR,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

/** Starts `switchyard serve` as a real process and waits until /health answers. */
export async function startCliServer(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; child: ChildProcess; output: () => string; stop(): Promise<number | null> }> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port), ...args], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
    cwd: CLI_WORK_DIR,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`switchyard exited early:\n${output}`);
    const healthy = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
