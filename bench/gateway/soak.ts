// Soak: a fixed request rate through the gateway with injected upstream faults, watching memory,
// file descriptors and every response. Run: npm run soak:gateway  (SOAK_SECONDS, SOAK_RATE,
// FAULT_RATE override the defaults of 600 s, 1,000 requests/s and 5%). Writes soak-results.json.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';

const root = new URL('../..', import.meta.url).pathname;
const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const rate = Number(process.env.SOAK_RATE ?? 1_000);
const faultRate = Number(process.env.FAULT_RATE ?? 0.05);
const work = mkdtempSync(join(tmpdir(), 'switchyard-soak-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

function spawnPinned(cpu: number, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn('taskset', ['-c', String(cpu), process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
    cwd: work,
  });
  children.push(child);
  return child;
}

const rssMb = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);
const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
/** Open descriptors by kind (socket, pipe, anon_inode:[eventpoll], a file path, ...). */
const fdKinds = (pid: number) => {
  const kinds: Record<string, number> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = 'gone';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`)
        .replace(/:\[\d+\]$/, '')
        .replace(/^\/.*\//, 'file:');
    } catch {}
    kinds[target] = (kinds[target] ?? 0) + 1;
  }
  return kinds;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const mock = spawnPinned(1, [join(root, 'bench/gateway/mock-upstream.mjs')], {
    FAULT_RATE: String(faultRate),
  });
  const mockPort = await new Promise<number>((resolve) =>
    mock.stdout?.once('data', (chunk) => resolve(JSON.parse(String(chunk)).port)),
  );
  const config = join(work, 'switchyard.yaml');
  writeFileSync(
    config,
    `models:
  cloud:
    provider: openai-compatible
    baseUrl: "http://127.0.0.1:${mockPort}/v1"
    model: gpt-4o-mini
    timeouts: { connectMs: 1000, firstByteMs: 500, totalMs: 5000 }
routing:
  default: cloud
  retries: { maxRetries: 1, initialBackoffMs: 20, maxBackoffMs: 100 }
  circuitBreaker: { failureThreshold: 1000, cooldownMs: 1000 }
storage: { sqlite: { path: ${join(work, 'soak.db')} } }
logging: { level: warn }
`,
  );
  const port = 20_000 + Math.floor(Math.random() * 2_000);
  const gateway = spawnPinned(0, [
    join(root, 'bin/switchyard.js'),
    'serve',
    '--config',
    config,
    '--port',
    String(port),
  ]);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(50);
  }
  const pid = gateway.pid as number;
  const agent = new Agent({ connections: 64 });
  const counts = { ok: 0, wellFormedError: 0, malformed: 0, transportError: 0 };
  const statuses: Record<string, number> = {};
  const body = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Where is my order?' }] });
  const send = async () => {
    try {
      const response = await request(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await response.body.text();
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      const parsed = JSON.parse(text);
      if (response.statusCode === 200 && parsed.choices) counts.ok += 1;
      else if (
        response.statusCode >= 400 &&
        typeof parsed.error?.message === 'string' &&
        typeof parsed.error?.code === 'string'
      )
        counts.wellFormedError += 1;
      else counts.malformed += 1;
    } catch {
      counts.transportError += 1;
    }
  };
  const samples: { second: number; rssMb: number; fds: number }[] = [];
  const startFds = fds(pid);
  const startKinds = fdKinds(pid);
  const startedAt = performance.now();
  const inFlight = new Set<Promise<void>>();
  // Open loop: every 10 ms, send rate/100 requests, whatever the answers are doing.
  for (let tick = 0; tick < seconds * 100; tick += 1) {
    for (let index = 0; index < rate / 100; index += 1) {
      const promise = send().finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    }
    const target = startedAt + (tick + 1) * 10;
    const wait = target - performance.now();
    if (wait > 0) await sleep(wait);
    if (tick % 100 === 99) samples.push({ second: (tick + 1) / 100, rssMb: rssMb(pid), fds: fds(pid) });
  }
  await Promise.all(inFlight);
  await agent.close();
  // Upstream keep-alive connections close after 30 s idle (undici's keepAliveTimeout): wait them out.
  await sleep(35_000);
  const endFds = fds(pid);
  const endKinds = fdKinds(pid);
  const firstMinute = samples.find((sample) => sample.second === Math.min(60, seconds)) ?? samples[0];
  const last = samples.at(-1);
  // RSS swings with garbage collection (±40 MB here); medians over a minute compare like with like.
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const secondMinute = samples
    .filter((sample) => sample.second > 60 && sample.second <= 120)
    .map((sample) => sample.rssMb);
  const lastMinute = samples.filter((sample) => sample.second > seconds - 60).map((sample) => sample.rssMb);
  const result = {
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      node: process.version,
      date: new Date().toISOString(),
    },
    settings: { seconds, rate, faultRate },
    counts,
    statuses,
    rssMbAfterFirstMinute: firstMinute?.rssMb,
    rssMbAtEnd: last?.rssMb,
    rssGrowthPct:
      firstMinute && last
        ? Math.round(((last.rssMb - firstMinute.rssMb) / firstMinute.rssMb) * 1000) / 10
        : null,
    rssMedianMbSecondMinute: secondMinute.length > 0 ? median(secondMinute) : null,
    rssMedianMbLastMinute: median(lastMinute),
    fdsBeforeLoad: startFds,
    fdsAfterLoad: endFds,
    fdKindsBeforeLoad: startKinds,
    fdKindsAfterLoad: endKinds,
    samples,
  };
  writeFileSync(join(root, 'bench/gateway/soak-results.json'), `${JSON.stringify(result, null, 2)}\n`);
  const { samples: _samples, ...summary } = result;
  console.log(JSON.stringify(summary, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
