import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent } from 'undici';
import { createSoakCounts, type SoakCounts, sendSoakRequest } from './soak-client.js';

const root = new URL('../..', import.meta.url).pathname;

export interface SoakOptions {
  seconds: number;
  /** Requests per second, sent on a fixed schedule whatever the answers do (an open loop). */
  rate: number;
  /** Share of upstream calls that fail (a 503, a reset, a cut answer, in turn). */
  faultRate: number;
  /** Seconds between samples of memory, heap, event-loop delay and descriptors. */
  sampleSeconds: number;
  /** Pin the gateway to CPU 0 and the rest to CPU 1 (`taskset`), when available. */
  pin: boolean;
}

/** One sample of the gateway process; event-loop delay covers the time since the previous one. */
export interface SoakSample {
  second: number;
  rssMb: number;
  heapUsedMb: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  fds: number;
  sent: number;
  /** The machine's one-minute load average: other processes' share of the CPUs shows up as delay. */
  loadAverage: number;
  /**
   * Milliseconds the gateway's main thread was ready to run but waited for a CPU since the previous
   * sample (Linux schedstat): delay that other work on a shared machine caused, not the gateway.
   */
  cpuWaitMs: number;
}

export interface SoakResult {
  settings: SoakOptions;
  counts: SoakCounts;
  /** Rows in the request log once the gateway stopped, and how many of them were client aborts (499). */
  logRows: number;
  logRowsByStatus: Record<string, number>;
  fdsAtStart: number;
  fdsAtEnd: number;
  samples: SoakSample[];
  /** Median RSS and heap of the first window after warm-up and of the last window, and the change. */
  drift: {
    window: string;
    rssMb: [number, number];
    rssPct: number;
    heapMb: [number, number];
    heapPct: number;
  };
  worstLoopDelayP99Ms: number;
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const percent = (from: number, to: number) => Math.round(((to - from) / from) * 1000) / 10;
const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const cpuWaitMs = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ')[1]) / 1e6;
const rssMb = (pid: number) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);

function metric(text: string, name: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name} `));
  return Number(line?.slice(name.length + 1) ?? Number.NaN);
}

/** Starts the upstream and the gateway, sends the mix for `seconds`, then stops both and reads the log. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const work = mkdtempSync(join(tmpdir(), 'switchyard-soak-'));
  const children: ChildProcess[] = [];
  let errors = '';
  const pin = options.pin && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const start = (cpu: number, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const [command, rest] = pin
      ? ['taskset', ['-c', String(cpu), process.execPath, ...args]]
      : [process.execPath, args];
    const child = spawn(command, rest, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: work,
    });
    child.stderr?.on('data', (chunk) => {
      errors = `${errors}${chunk}`.slice(-4_096);
    });
    children.push(child);
    return child;
  };
  try {
    const upstream = start(1, [join(root, 'bench/gateway/soak-upstream.mjs')], {
      FAULT_RATE: String(options.faultRate),
    });
    const [line] = (await once(upstream.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    const upstreamPort = (JSON.parse(String(line)) as { port: number }).port;
    const database = join(work, 'soak.db');
    writeFileSync(
      join(work, 'switchyard.yaml'),
      `models:
  cloud:
    provider: openai-compatible
    baseUrl: "http://127.0.0.1:${upstreamPort}/v1"
    model: gpt-4o-mini
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 10000 }
routing:
  default: cloud
  retries: { maxRetries: 1, initialBackoffMs: 20, maxBackoffMs: 100 }
  circuitBreaker: { failureThreshold: 1000, cooldownMs: 1000 }
storage: { sqlite: { path: "${database}" } }
logging: { level: warn }
`,
    );
    const port = 20_000 + Math.floor(Math.random() * 5_000);
    const url = `http://127.0.0.1:${port}`;
    const gateway = start(0, [
      join(root, 'bin/switchyard.js'),
      'serve',
      '--config',
      'switchyard.yaml',
      '--port',
      String(port),
    ]);
    gateway.stdout?.resume();
    const pid = gateway.pid as number;
    for (
      let attempt = 0;
      !(await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ));
      attempt += 1
    ) {
      if (attempt > 300 || !running(gateway)) throw new Error(`the gateway did not start:\n${errors}`);
      await sleep(100);
    }
    const scrape = async () => (await fetch(`${url}/metrics`)).text();
    await scrape();
    const counts = createSoakCounts();
    const agent = new Agent({ connections: 256 });
    const samples: SoakSample[] = [];
    const fdsAtStart = fds(pid);
    let waitedBefore = cpuWaitMs(pid);
    const startedAt = performance.now();
    const inFlight = new Set<Promise<void>>();
    let index = 0;
    let nextSample = options.sampleSeconds;
    // Open loop: every 10 ms, the requests due by then, whatever the earlier ones are doing.
    for (let tick = 1; tick <= options.seconds * 100; tick += 1) {
      for (const due = Math.floor((tick * options.rate) / 100); index < due; index += 1) {
        const sent = sendSoakRequest(url, agent, index, counts).finally(() => inFlight.delete(sent));
        inFlight.add(sent);
      }
      const wait = startedAt + tick * 10 - performance.now();
      if (wait > 0) await sleep(wait);
      if (tick % 100 === 0 && tick / 100 >= nextSample) {
        nextSample += options.sampleSeconds;
        const text = await scrape();
        const waited = cpuWaitMs(pid);
        samples.push({
          second: tick / 100,
          rssMb: rssMb(pid),
          heapUsedMb: Math.round(metric(text, 'nodejs_heap_size_used_bytes') / 1024 / 1024),
          loopDelayP99Ms: Math.round(metric(text, 'nodejs_eventloop_lag_p99_seconds') * 10_000) / 10,
          loopDelayMaxMs: Math.round(metric(text, 'nodejs_eventloop_lag_max_seconds') * 10_000) / 10,
          fds: fds(pid),
          sent: counts.sent,
          loadAverage: loadavg()[0] as number,
          cpuWaitMs: Math.round(waited - waitedBefore),
        });
        waitedBefore = waited;
      }
    }
    await Promise.all(inFlight);
    await agent.close();
    // Idle upstream connections close after the upstream's short keep-alive hint.
    let fdsAtEnd = fds(pid);
    for (let waited = 0; fdsAtEnd > fdsAtStart && waited < 10_000; waited += 200) {
      await sleep(200);
      fdsAtEnd = fds(pid);
    }
    const exited = once(gateway, 'exit');
    gateway.kill('SIGTERM');
    await exited;
    const rows = new Database(database, { readonly: true });
    const byStatus = rows.prepare('SELECT status, count(*) AS n FROM requests GROUP BY status').all() as {
      status: number;
      n: number;
    }[];
    rows.close();
    // Warm-up is the first window; drift compares the next one with the last. Half an hour of
    // one-minute samples gives five-sample windows: one sample's heap swings with collections.
    const window = Math.max(1, Math.round(Math.min(300, options.seconds / 6) / options.sampleSeconds));
    const warm = samples.slice(window, 2 * window);
    const last = samples.slice(-window);
    const rssFrom = median(warm.map((sample) => sample.rssMb));
    const rssTo = median(last.map((sample) => sample.rssMb));
    const heapFrom = median(warm.map((sample) => sample.heapUsedMb));
    const heapTo = median(last.map((sample) => sample.heapUsedMb));
    return {
      settings: { ...options, pin },
      counts,
      logRows: byStatus.reduce((sum, row) => sum + row.n, 0),
      logRowsByStatus: Object.fromEntries(byStatus.map((row) => [row.status, row.n])),
      fdsAtStart,
      fdsAtEnd,
      samples,
      drift: {
        window: `medians of samples ${window + 1}–${2 * window} against the last ${window}`,
        rssMb: [rssFrom, rssTo],
        rssPct: percent(rssFrom, rssTo),
        heapMb: [heapFrom, heapTo],
        heapPct: percent(heapFrom, heapTo),
      },
      worstLoopDelayP99Ms: Math.max(...samples.map((sample) => sample.loopDelayP99Ms)),
    };
  } finally {
    const stopping = children.filter(running);
    const exits = stopping.map((child) => once(child, 'exit'));
    for (const child of stopping) child.kill('SIGTERM');
    await Promise.all(exits);
    rmSync(work, { recursive: true, force: true });
  }
}
