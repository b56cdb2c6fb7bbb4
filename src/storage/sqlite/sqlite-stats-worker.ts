import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createSqliteStatsReader } from './sqlite-stats-reader.js';

/**
 * The worker thread behind SqliteRequestStats: its own read-only connection to the log's file
 * (WAL lets it read while the gateway writes), so a long aggregate never holds the gateway's
 * event loop.
 */
// The lowest CPU priority, for this thread only (Linux sets a thread's own nice value): where the
// gateway and this worker share a core, requests go first and the dashboard's sums wait; with a
// core to spare, it changes nothing. Elsewhere the call may fail or apply to the whole process,
// so it is made only on Linux.
if (process.platform === 'linux') {
  try {
    setPriority(19);
  } catch {
    // Not allowed here (a sandbox, say): the worker runs at the gateway's priority.
  }
}

const database = new Database((workerData as { path: string }).path, { readonly: true, fileMustExist: true });
database.pragma('busy_timeout = 5000');
const reader = createSqliteStatsReader((work) => work(database));

const WARM_DAYS = 30;

interface Call {
  id: number;
  method: 'overview' | 'listRequests' | 'getRequest' | 'sumSpend' | 'evidence';
  args: unknown[];
}

// Long views are ready before anyone asks; calls interleave with this a day at a time.
void reader.warm(WARM_DAYS).catch(() => {});

parentPort?.on('message', async (call: Call) => {
  try {
    const method = reader[call.method] as (...args: unknown[]) => Promise<unknown>;
    parentPort?.postMessage({ id: call.id, result: await method(...call.args) });
  } catch (error) {
    parentPort?.postMessage({ id: call.id, error: (error as Error).message });
  }
});
