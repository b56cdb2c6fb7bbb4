// The dashboard on a large log: a generated request log of ROWS requests over 30 days, the time
// each stats statement and each overview takes on it (per range, first look and again), and the
// gateway's requests/s with the dashboard open and refreshing against closed, in one run.
// `npm run bench:dashboard [-- --rows 1000000 --seconds 15]` (this script, the load generator, the
// upstream and Chromium on core 0, the gateway on core 1); results in bench/dashboard/results.json.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { SqliteRequestStats } from '../../src/storage/sqlite/sqlite-request-stats.js';
import { createSqliteStatsReader } from '../../src/storage/sqlite/sqlite-stats-reader.js';
import { findFreePort } from '../../test/support/start-cli-server.js';
import { writeSyntheticSqliteLog } from './write-synthetic-log.js';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROWS = argument('rows', 1_000_000);
const SECONDS = argument('seconds', 15);
const HOUR = 3_600_000;
const RANGES = { '1h': HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };
const round = (value: number) => Math.round(value * 10) / 10;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const dir = mkdtempSync(join(tmpdir(), 'switchyard-dashboard-bench-'));
const path = join(dir, 'log.db');
const now = Date.now();
let started = performance.now();
writeSyntheticSqliteLog({ path, count: ROWS, from: now - 30 * 24 * HOUR, to: now - 1000 });
const generation = {
  rows: ROWS,
  seconds: round((performance.now() - started) / 1000),
  megabytes: Math.round(statSync(path).size / 1e6),
};
console.log('generated', generation);

/** Each statement of an overview timed on its own (in this thread, a connection of its own). */
async function timeStatements() {
  const database = new Database(path, { readonly: true });
  const times: number[] = [];
  const plans: string[] = [];
  const reader = createSqliteStatsReader((work) =>
    work(
      Object.assign(Object.create(database), {
        prepare: (sql: string) => {
          const statement = database.prepare(sql);
          if (sql.includes('FROM requests')) {
            const values = Array(sql.split('?').length - 1).fill('2000-01-01');
            plans.push(
              ...(database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[]).map(
                (row) => row.detail,
              ),
            );
          }
          return {
            all: (...values: unknown[]) => {
              const start = performance.now();
              const rows = statement.all(...values);
              times.push(performance.now() - start);
              return rows;
            },
          };
        },
      }),
    ),
  );
  const results: Record<string, unknown> = {};
  for (const [name, span] of Object.entries(RANGES)) {
    for (const look of ['first', 'again']) {
      times.length = 0;
      const start = performance.now();
      await reader.overview({ from: Date.now() - span, to: Date.now(), filter: {}, localModels: ['local'] });
      results[`${name} ${look}`] = {
        overviewMs: round(performance.now() - start),
        statements: times.length,
        slowestStatementMs: round(Math.max(...times)),
      };
    }
    if (name === '1h') results['1h plans'] = [...new Set(plans)];
  }
  for (const [name, filter] of Object.entries({ all: {}, 'task type code': { taskType: 'code' } })) {
    const start = performance.now();
    const page = await reader.listRequests({
      from: now - 30 * 24 * HOUR,
      to: Date.now(),
      filter,
      localModels: [],
      limit: 50,
    });
    const listed = performance.now();
    await reader.getRequest(page.requests[0]?.id as string);
    results[`requests page (${name})`] = {
      listMs: round(listed - start),
      detailMs: round(performance.now() - listed),
    };
  }
  database.close();
  return results;
}

/** Overviews through the worker the gateway uses, right after it starts and once it has warmed. */
async function timeWorker() {
  const stats = new SqliteRequestStats({ path });
  const results: Record<string, number> = {};
  let start = performance.now();
  await stats.overview({
    from: Date.now() - RANGES['30d'],
    to: Date.now(),
    filter: {},
    localModels: ['local'],
  });
  results['30d right after start'] = round(performance.now() - start);
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  for (const [name, span] of Object.entries(RANGES)) {
    const times: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      start = performance.now();
      await stats.overview({ from: Date.now() - span, to: Date.now(), filter: {}, localModels: ['local'] });
      times.push(performance.now() - start);
    }
    results[`${name} warmed, median of 5`] = round(median(times));
  }
  await stats.close();
  return results;
}

/** CPU seconds a process has used (user and system), from /proc. */
function readCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function startProcess(command: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(command[0] as string, command.slice(1), {
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  child.stderr?.on('data', (chunk) => process.stderr.write(chunk));
  return child;
}

async function waitForHealth(url: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (
      await fetch(`${url}/health`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never answered`);
}

/** Requests/s of the gateway, on one core, with the dashboard closed and open, alternating. */
async function measureThroughput() {
  const upstreamPort = await findFreePort();
  const upstream = await startProcess(
    [process.execPath, new URL('../gateway/mock-upstream.mjs', import.meta.url).pathname],
    {
      PORT: String(upstreamPort),
    },
  );
  const port = await findFreePort();
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(
    config,
    `models:\n  cloud: { provider: openai-compatible, baseUrl: "http://127.0.0.1:${upstreamPort}/v1", model: gpt-4o-mini }\nrouting: { default: cloud }\nstorage: { sqlite: { path: "${path}" } }\nlogging: { level: warn }\n`,
  );
  const pin = existsSync('/usr/bin/taskset') && cpus().length > 1 ? ['taskset', '-c', '1'] : [];
  const bin = new URL('../../bin/switchyard.js', import.meta.url).pathname;
  const gateway = await startProcess(
    [...pin, process.execPath, bin, 'serve', '--config', config, '--port', String(port)],
    {},
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);
  const body = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hello.' }] });
  const load = async () => {
    const result = await autocannon({
      url: `${url}/v1/chat/completions`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 32,
      duration: SECONDS,
    });
    return {
      requestsPerSecond: Math.round(result.requests.average),
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
    };
  };
  await load(); // warm-up: JIT, connection pools
  // The stats worker aggregates the last 30 days once at start, on the gateway's core: wait it out.
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const start = performance.now();
    await fetch(`${url}/admin/v1/stats?range=30d&sections=overview`).then((response) =>
      response.arrayBuffer(),
    );
    if (performance.now() - start < 1000) break;
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // The page itself on the large log: from navigation to its numbers shown, per range (warmed).
  const pageLoad: Record<string, number> = {};
  {
    const page = await browser.newPage();
    for (const view of [
      'overview?range=1h',
      'overview?range=24h',
      'overview?range=7d',
      'overview?range=30d',
      'requests?range=30d',
    ]) {
      const times: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        await page.goto('about:blank');
        const start = performance.now();
        await page.goto(`${url}/dashboard#/${view}`);
        await page
          .getByTestId(view.startsWith('requests') ? 'request-row' : 'card-requests')
          .first()
          .waitFor();
        times.push(performance.now() - start);
      }
      pageLoad[view] = round(median(times));
    }
    await page.close();
    console.log('page load', pageLoad);
  }
  const phases: Record<string, unknown>[] = [];
  // ABCABC: closed; the page open in Chromium; the same stats calls from a plain loop (no browser).
  for (const phase of ['closed', 'page open', 'API polled', 'closed', 'page open', 'API polled']) {
    let refreshes = 0;
    let stop = () => Promise.resolve();
    if (phase === 'page open') {
      const page = await browser.newPage();
      page.on('response', (response) => {
        if (response.url().includes('/admin/v1/stats')) refreshes += 1;
      });
      await page.goto(`${url}/dashboard#/overview?range=24h`);
      await page.getByTestId('card-requests').waitFor();
      stop = () => page.close();
    }
    if (phase === 'API polled') {
      const timer = setInterval(() => {
        refreshes += 1;
        void fetch(`${url}/admin/v1/stats?range=24h`).then((response) => response.arrayBuffer());
      }, 5_000);
      stop = async () => clearInterval(timer);
    }
    const cpuBefore = readCpuSeconds(gateway.pid as number);
    const result = await load();
    const gatewayCpuMs = (readCpuSeconds(gateway.pid as number) - cpuBefore) * 1000;
    await stop();
    const requests = result.requestsPerSecond * SECONDS;
    phases.push({
      phase,
      ...result,
      refreshes,
      gatewayCpuUsPerRequest: Math.round((gatewayCpuMs * 1000) / requests),
    });
    console.log(phases.at(-1));
  }
  await browser.close();
  gateway.kill('SIGTERM');
  await once(gateway, 'exit');
  upstream.kill();
  return { phases, pageLoad };
}

started = performance.now();
// `--throughput-only`: skip the query timings (to repeat the load phases on a kept log).
const throughputOnly = process.argv.includes('--throughput-only');
const statements = throughputOnly ? null : await timeStatements();
console.log(statements);
const worker = throughputOnly ? null : await timeWorker();
console.log(worker);
const { phases: throughput, pageLoad } = await measureThroughput();
console.log(throughput);
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  generation,
  statements,
  worker,
  pageLoad,
  throughput,
};
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
