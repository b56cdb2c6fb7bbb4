// Gateway overhead benchmark: a mock upstream direct vs through Switchyard, in one run.
// Run: npm run bench:gateway   (gateway pinned to CPU 0; mock and load generator on CPU 1)
// Writes bench/gateway/results.json and bench/gateway/RESULTS.md. Only 127.0.0.1 is targeted; every
// phase has a fixed duration; it stops exactly the processes it started.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const root = new URL('../..', import.meta.url).pathname;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const started: ChildProcess[] = [];
const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));

function stopAll(): void {
  for (const child of started) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('exit', () => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

function spawnPinned(cpu: number, args: string[], env: NodeJS.ProcessEnv, output: string): ChildProcess {
  const child = spawn('taskset', ['-c', String(cpu), process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: work,
  });
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += chunk;
    if (text.length > 4096) text = text.slice(-4096);
  });
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  Object.defineProperty(child, 'recentOutput', { get: () => text });
  started.push(child);
  writeFileSync(join(work, `${output}.cmd`), args.join(' '));
  return child;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** utime + stime of a process in seconds (from /proc; Linux). */
function readCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function readStatusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

const CHAT_BODY = JSON.stringify({
  model: 'auto',
  messages: [{ role: 'user', content: 'What are your opening hours on Saturday?' }],
  max_tokens: 32,
});
const STREAM_BODY = JSON.stringify({ ...JSON.parse(CHAT_BODY), stream: true });

async function load(url: string, options: { connections: number; seconds: number; rate?: number }) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: CHAT_BODY,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99 },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Sequential streamed requests: time to first byte and to the end, per request. */
async function stream(url: string, count: number) {
  const ttfb: number[] = [];
  const total: number[] = [];
  for (let index = 0; index < count; index += 1) {
    await new Promise<void>((resolve, reject) => {
      const start = performance.now();
      const outgoing = httpRequest(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (response) => {
          let first = true;
          response.on('data', () => {
            if (first) {
              first = false;
              ttfb.push(performance.now() - start);
            }
          });
          response.on('end', () => {
            total.push(performance.now() - start);
            resolve();
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(STREAM_BODY);
    });
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const p99 = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] as number;
  return {
    ttfbMs: { p50: Math.round(median(ttfb) * 100) / 100, p99: Math.round(p99(ttfb) * 100) / 100 },
    totalMs: { p50: Math.round(median(total) * 100) / 100 },
  };
}

async function main() {
  const mock = spawnPinned(
    1,
    [join(root, 'bench/gateway/mock-upstream.mjs')],
    { CHUNKS: '20', CHUNK_DELAY_MS: process.env.CHUNK_DELAY_MS ?? '1' },
    'mock',
  );
  const mockPort = await new Promise<number>((resolve) => {
    mock.stdout?.once('data', (chunk) => resolve(JSON.parse(String(chunk)).port));
  });
  const direct = `http://127.0.0.1:${mockPort}/v1/chat/completions`;
  const config = join(work, 'switchyard.yaml');
  writeFileSync(
    config,
    `models:
  cloud: { provider: openai-compatible, baseUrl: "http://127.0.0.1:${mockPort}/v1", model: gpt-4o-mini }
  backup: { provider: openai-compatible, baseUrl: "http://127.0.0.1:${mockPort}/v1", model: gpt-4o }
routing:
  default: cloud
  rules:
    - { name: pii, when: { pii: true }, then: backup }
    - { name: code, when: { taskType: code }, then: backup }
    - { name: hard, when: { complexity: { gt: 0.95 } }, then: backup }
  fallbacks: { cloud: [backup] }
storage: { sqlite: { path: ${join(work, 'switchyard.db')} } }
logging: { level: info }
`,
  );
  const gatewayPort = 18_000 + Math.floor(Math.random() * 2_000);
  const gateway = spawnPinned(
    0,
    [join(root, 'bin/switchyard.js'), 'serve', '--config', config, '--port', String(gatewayPort)],
    {},
    'gateway',
  );
  const via = `http://127.0.0.1:${gatewayPort}/v1/chat/completions`;
  await waitFor(async () => (await fetch(`http://127.0.0.1:${gatewayPort}/health`)).ok, 'the gateway');
  const pid = gateway.pid as number;
  // Warm up both paths (JIT, connection pools).
  await load(direct, { connections: 8, seconds: 2 });
  await load(via, { connections: 8, seconds: 2 });

  const results: Record<string, unknown> = {};
  results.closed32Direct = await load(direct, { connections: 32, seconds });
  const cpuBefore = readCpuSeconds(pid);
  const closed32 = await load(via, { connections: 32, seconds });
  const cpuAfter = readCpuSeconds(pid);
  results.closed32Gateway = {
    ...closed32,
    cpuMicrosecondsPerRequest: Math.round(((cpuAfter - cpuBefore) / closed32.requests) * 1e6),
  };
  results.oneConnectionDirect = await load(direct, { connections: 1, seconds });
  results.oneConnectionGateway = await load(via, { connections: 1, seconds });
  results.openLoop2000Direct = await load(direct, { connections: 32, seconds, rate: 2_000 });
  results.openLoop2000Gateway = await load(via, { connections: 32, seconds, rate: 2_000 });
  results.streamDirect = await stream(direct, 300);
  results.streamGateway = await stream(via, 300);
  results.gatewayPeakRssMb = Math.round(readStatusKb(pid, 'VmHWM') / 1024);
  results.gatewayRssMbAtEnd = Math.round(readStatusKb(pid, 'VmRSS') / 1024);
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1e9),
    node: process.version,
    date: new Date().toISOString(),
    secondsPerPhase: seconds,
  };
  writeFileSync(
    join(root, 'bench/gateway/results.json'),
    `${JSON.stringify({ machine, results }, null, 2)}\n`,
  );
  console.log(JSON.stringify({ machine, results }, null, 2));
  stopAll();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
