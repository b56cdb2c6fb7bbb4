// The cost of virtual keys, budgets and rate limits on the hot path: the same gateway and load
// with `auth.mode: none` and with `auth.mode: keys` (a key with a budget and an rpm limit, counted
// in Redis), alternated (ABAB) in one run. Reports requests/s and gateway CPU per request at 32
// connections, and their ratio.
// Run: npm run bench:keys   (needs Redis at SWITCHYARD_REDIS_URL or redis://127.0.0.1:6379)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const root = new URL('../..', import.meta.url).pathname;
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const redisUrl = process.env.SWITCHYARD_REDIS_URL ?? 'redis://127.0.0.1:6379';
const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-keys-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

function spawnPinned(cpu: number, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn('taskset', ['-c', String(cpu), process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: work,
  });
  children.push(child);
  return child;
}

function readCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function waitHealthy(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (
      await fetch(`${url}/health`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no gateway at ${url}`);
}

async function measure(keyed: boolean, mockPort: number, round: number) {
  const config = join(work, `${keyed ? 'keys' : 'open'}-${round}.yaml`);
  writeFileSync(
    config,
    `models:
  cloud: { provider: openai-compatible, baseUrl: "http://127.0.0.1:${mockPort}/v1", model: gpt-4o-mini }
routing: { default: cloud }
storage: { sqlite: { path: ${join(work, `log-${keyed}-${round}.db`)} } }
logging: { level: info }
${keyed ? `auth: { mode: keys }\nstate: { store: redis, redis: { keyPrefix: "switchyard-bench-${process.pid}-${round}:" } }\n` : ''}`,
  );
  let key = '';
  if (keyed) {
    const cli = (args: string[]) =>
      execFileSync(process.execPath, [join(root, 'bin/switchyard.js'), ...args, '--config', config], {
        cwd: work,
      }).toString();
    cli(['tenants', 'create', 'bench', '--budget-usd', '1000000', '--rpm', '100000000']);
    key = JSON.parse(cli(['keys', 'create', '--tenant', 'bench', '--budget-usd', '1000000', '--json'])).key;
  }
  const port = 18_500 + round * 2 + (keyed ? 1 : 0);
  const gateway = spawnPinned(
    0,
    [join(root, 'bin/switchyard.js'), 'serve', '--config', config, '--port', String(port)],
    {
      SWITCHYARD_REDIS_URL: redisUrl,
    },
  );
  gateway.stdout?.resume();
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  const options = {
    url: `${url}/v1/chat/completions`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', ...(keyed ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({
      model: 'auto',
      max_tokens: 32,
      messages: [{ role: 'user', content: 'What are your opening hours on Saturday?' }],
    }),
    connections: 32,
  };
  await autocannon({ ...options, duration: 2 });
  const before = readCpuSeconds(gateway.pid as number);
  const result = await autocannon({ ...options, duration: seconds });
  const cpu = readCpuSeconds(gateway.pid as number) - before;
  gateway.kill('SIGTERM');
  return {
    requestsPerSecond: Math.round(result.requests.average),
    cpuMicrosecondsPerRequest: Math.round((cpu / result.requests.total) * 1e6),
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

async function main() {
  const mock = spawnPinned(1, [join(root, 'bench/gateway/mock-upstream.mjs')]);
  const mockPort = await new Promise<number>((resolve) => {
    mock.stdout?.once('data', (chunk) => resolve(JSON.parse(String(chunk)).port));
  });
  const runs: { keyed: boolean; result: Awaited<ReturnType<typeof measure>> }[] = [];
  for (let round = 0; round < 2; round += 1) {
    for (const keyed of [false, true]) runs.push({ keyed, result: await measure(keyed, mockPort, round) });
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const of = (keyed: boolean, field: 'requestsPerSecond' | 'cpuMicrosecondsPerRequest') =>
    median(runs.filter((run) => run.keyed === keyed).map((run) => run.result[field]));
  const summary = {
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      node: process.version,
      date: new Date().toISOString(),
      secondsPerPhase: seconds,
    },
    runs,
    ratio: {
      requestsPerSecond: Number((of(true, 'requestsPerSecond') / of(false, 'requestsPerSecond')).toFixed(3)),
      cpuPerRequest: Number(
        (of(true, 'cpuMicrosecondsPerRequest') / of(false, 'cpuMicrosecondsPerRequest')).toFixed(3),
      ),
    },
  };
  writeFileSync(join(root, 'bench/gateway/results-keys.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
