import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sumMetric } from './chat-client.js';
import { startCliServer } from './start-cli-server.js';

/** A `switchyard serve` process started from a YAML text, with what a test reads of it. */
export interface GatewayProcess {
  url: string;
  pid: number;
  /** Where its request log is, when `config` put it at `{database}` (kept until the test process exits). */
  database: string;
  output(): string;
  /** SIGTERM, then waits for the exit (the request log is flushed by then); returns the exit code. */
  stop(): Promise<number | null>;
}

const folders: string[] = [];
process.on('exit', () => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/**
 * Starts the built CLI with `config`, a YAML text in which `{database}` stands for a request-log
 * path in a fresh folder.
 */
export async function startGatewayProcess(config: string): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-process-'));
  folders.push(dir);
  const database = join(dir, 'requests.db');
  const path = join(dir, 'switchyard.yaml');
  writeFileSync(path, config.replaceAll('{database}', database));
  const server = await startCliServer(['--config', path]);
  return {
    url: server.url,
    pid: server.child.pid as number,
    database,
    output: server.output,
    stop: () => server.stop(),
  };
}

/** Resident memory of a process, MiB. */
export function readRssMb(pid: number): number {
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kilobytes / 1024);
}

/** Highest resident memory a process has had, MiB. */
export function readPeakRssMb(pid: number): number {
  const kilobytes = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kilobytes / 1024);
}

/**
 * Milliseconds a process's main thread has spent runnable but waiting for a CPU (Linux schedstat):
 * on a shared machine, that waiting shows up as event-loop delay though the process blocked nothing.
 */
export function readRunQueueWaitMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
  return Number(fields[1]) / 1e6;
}

/** Open file descriptors of a process. */
export function countFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * The gateway's event-loop delay since the previous call: prom-client's default metrics read a
 * `monitorEventLoopDelay` histogram and reset it on every scrape of /metrics.
 */
export async function readEventLoopDelay(url: string): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const ms = (name: string) => Math.round(sumMetric(text, name) * 10_000) / 10;
  return { p99Ms: ms('nodejs_eventloop_lag_p99_seconds'), maxMs: ms('nodejs_eventloop_lag_max_seconds') };
}

/** Rows of a stopped gateway's request log, by status (only those routed to `route`, when given). */
export function countRowsByStatus(database: string, route?: string): Map<number, number> {
  const rows = new Database(database, { readonly: true });
  try {
    const counts = rows
      .prepare(
        `SELECT status, count(*) AS n FROM requests ${route === undefined ? '' : 'WHERE route = ?'} GROUP BY status`,
      )
      .all(...(route === undefined ? [] : [route])) as { status: number; n: number }[];
    return new Map(counts.map((row) => [row.status, row.n]));
  } finally {
    rows.close();
  }
}
