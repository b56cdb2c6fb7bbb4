// Gateway overhead benchmark: a mock upstream direct vs through Switchyard, in one run.
// Run: npm run bench:gateway   (gateway pinned to CPU 0; mock and load generator on CPU 1)
// Writes bench/gateway/results.json (RESULTS.md is written from it by hand, with the findings).
// Only 127.0.0.1 is targeted; every phase has a fixed duration; it stops exactly the processes it
// started. Also measured: floor-proxy.mjs, the least a Node.js proxy does per request, and the peer
// gateway when installed (npm run bench:gateway:install-peer).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** How one path is called: Switchyard routes `auto`; the mock and the peer take a model id. */
interface Path {
  url: string;
  headers: Record<string, string>;
  body: string;
}

function createPath(url: string, model: string, headers: Record<string, string> = {}): Path {
  return {
    url,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...JSON.parse(CHAT_BODY), model }),
  };
}

async function load(path: Path, options: { connections: number; seconds: number; rate?: number }) {
  const result = await autocannon({
    url: path.url,
    method: 'POST',
    headers: path.headers,
    body: path.body,
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

const round2 = (value: number) => Math.round(value * 100) / 100;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const p99 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] as number;

/**
 * Sequential streamed requests. Per request: the first byte (for Switchyard and OpenAI, the role
 * chunk), the first token (first non-empty content), and the end.
 */
async function stream(path: Path, count: number) {
  const ttfb: number[] = [];
  const ttft: number[] = [];
  const total: number[] = [];
  let failures = 0;
  const body = JSON.stringify({ ...JSON.parse(path.body), stream: true });
  for (let index = 0; index < count; index += 1) {
    await new Promise<void>((resolve, reject) => {
      const start = performance.now();
      const outgoing = httpRequest(path.url, { method: 'POST', headers: path.headers }, (response) => {
        let first = true;
        let tokenSeen = false;
        let text = '';
        response.on('data', (chunk) => {
          const now = performance.now();
          if (first) {
            first = false;
            ttfb.push(now - start);
          }
          if (!tokenSeen) {
            text += chunk;
            if (/"content":"[^"]/.test(text)) {
              tokenSeen = true;
              ttft.push(now - start);
            }
          }
        });
        response.on('end', () => {
          if (response.statusCode !== 200 || !tokenSeen) failures += 1;
          else total.push(performance.now() - start);
          resolve();
        });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
  if (total.length === 0) return { failures, requests: count };
  return {
    ttfbMs: { p50: round2(median(ttfb)), p99: round2(p99(ttfb)) },
    firstTokenMs: { p50: round2(median(ttft)), p99: round2(p99(ttft)) },
    totalMs: { p50: round2(median(total)) },
    failures,
  };
}

/** A warm-up, then the closed loop at 32 connections with the process's CPU time per request. */
async function measureClosedLoop(path: Path, pid: number) {
  await load(path, { connections: 8, seconds: 2 });
  const cpuBefore = readCpuSeconds(pid);
  const closed32 = await load(path, { connections: 32, seconds });
  const cpuAfter = readCpuSeconds(pid);
  return {
    ...closed32,
    cpuMicrosecondsPerRequest: Math.round(((cpuAfter - cpuBefore) / closed32.requests) * 1e6),
  };
}

/** The same phases for any gateway process: closed loop with its CPU per request, one connection, open loop, streams. */
async function measureGateway(path: Path, pid: number) {
  return {
    closed32: await measureClosedLoop(path, pid),
    oneConnection: await load(path, { connections: 1, seconds }),
    openLoop2000: await load(path, { connections: 32, seconds, rate: 2_000 }),
    stream: await stream(path, 300),
    peakRssMb: Math.round(readStatusKb(pid, 'VmHWM') / 1024),
    rssMbAtEnd: Math.round(readStatusKb(pid, 'VmRSS') / 1024),
  };
}

// The peer gateway (Portkey's, the leading TypeScript one) is measured when installed with
// `npm run bench:gateway:install-peer`; it is not a dependency of Switchyard.
const peerServer = join(root, 'bench/gateway/peer/node_modules/@portkey-ai/gateway/build/start-server.js');

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
  const direct = createPath(`http://127.0.0.1:${mockPort}/v1/chat/completions`, 'gpt-4o-mini');
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
  await waitFor(async () => (await fetch(`http://127.0.0.1:${gatewayPort}/health`)).ok, 'the gateway');

  const results: Record<string, unknown> = {};
  await load(direct, { connections: 8, seconds: 2 });
  results.direct = {
    closed32: await load(direct, { connections: 32, seconds }),
    oneConnection: await load(direct, { connections: 1, seconds }),
    openLoop2000: await load(direct, { connections: 32, seconds, rate: 2_000 }),
    stream: await stream(direct, 300),
  };
  results.switchyard = await measureGateway(
    createPath(`http://127.0.0.1:${gatewayPort}/v1/chat/completions`, 'auto'),
    gateway.pid as number,
  );
  gateway.kill('SIGTERM');

  // The least a Node.js proxy does per request (floor-proxy.mjs), on the same core: what Switchyard
  // adds is measured against this, not only against the mock.
  const floorPort = gatewayPort + 2;
  const floor = spawnPinned(
    0,
    [join(root, 'bench/gateway/floor-proxy.mjs')],
    { UPSTREAM: `http://127.0.0.1:${mockPort}`, PORT: String(floorPort) },
    'floor',
  );
  await waitFor(async () => (await fetch(`http://127.0.0.1:${floorPort}/`)).status > 0, 'the floor proxy');
  const floorPath = createPath(`http://127.0.0.1:${floorPort}/v1/chat/completions`, 'gpt-4o-mini');
  results.nodeFloor = {
    closed32: await measureClosedLoop(floorPath, floor.pid as number),
    peakRssMb: Math.round(readStatusKb(floor.pid as number, 'VmHWM') / 1024),
  };
  floor.kill('SIGTERM');

  if (existsSync(peerServer) && process.env.BENCH_PEER !== '0') {
    const peerPort = gatewayPort + 1;
    // NODE_ENV=production and --headless: no UI, no request log printed to the console.
    const peer = spawnPinned(
      0,
      [peerServer, `--port=${peerPort}`, '--headless'],
      { NODE_ENV: 'production' },
      'peer',
    );
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${peerPort}/`)).status < 500,
      'the peer gateway',
    );
    results.peer = await measureGateway(
      createPath(`http://127.0.0.1:${peerPort}/v1/chat/completions`, 'gpt-4o-mini', {
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `http://127.0.0.1:${mockPort}/v1`,
        authorization: 'Bearer bench',
      }),
      peer.pid as number,
    );
  }
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
