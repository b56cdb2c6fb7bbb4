import { Worker } from 'node:worker_threads';
import type { RequestStats } from '../request-stats.js';
import type { SqliteRequestLog } from './sqlite-request-log.js';
import { createSqliteStatsReader } from './sqlite-stats-reader.js';

type Method = keyof Omit<RequestStats, 'close'>;

/**
 * The worker's module. Run from TypeScript source (tests, under tsx) it is a .ts file, which a
 * worker loads only once tsx's loader is registered in it.
 */
function findWorkerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./sqlite-stats-worker.js', import.meta.url);
  const source = new URL('./sqlite-stats-worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(source)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * Statistics of the SQLite request log. With a file, they run in a worker thread on a read-only
 * connection of their own: off the request path, and they see rows once their batch commits. A log
 * in memory has no file to share, so there they run on the log's own connection.
 */
export class SqliteRequestStats implements RequestStats {
  private readonly worker: Worker | undefined;
  private readonly local: Omit<RequestStats, 'close'> | undefined;
  private readonly calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 0;
  private stopped: Error | undefined;

  constructor(options: { path: string; requestLog?: SqliteRequestLog | undefined }) {
    const requestLog = options.requestLog;
    if (options.path === ':memory:') {
      if (!requestLog) throw new Error('statistics of a log in memory need that log');
      this.local = createSqliteStatsReader((work) => requestLog.read(work));
      return;
    }
    this.worker = new Worker(findWorkerEntry(), {
      workerData: { path: options.path },
    });
    // Calls wait on the worker, not the process: an idle gateway may still exit.
    this.worker.unref();
    this.worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const call = this.calls.get(message.id);
      this.calls.delete(message.id);
      if (message.error !== undefined) call?.reject(new Error(message.error));
      else call?.resolve(message.result);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => {
      this.stopped = new Error('the statistics worker stopped');
      this.failAll(this.stopped);
    });
  }

  overview: RequestStats['overview'] = (query) => this.call('overview', [query]) as never;
  listRequests: RequestStats['listRequests'] = (query) => this.call('listRequests', [query]) as never;
  getRequest: RequestStats['getRequest'] = (id) => this.call('getRequest', [id]) as never;
  sumSpend: RequestStats['sumSpend'] = (queries) => this.call('sumSpend', [queries]) as never;
  evidence: RequestStats['evidence'] = (from, to) => this.call('evidence', [from, to]) as never;

  async close(): Promise<void> {
    await this.worker?.terminate();
  }

  private call(method: Method, args: unknown[]): Promise<unknown> {
    if (this.local) return (this.local[method] as (...args: unknown[]) => Promise<unknown>)(...args);
    const worker = this.worker as Worker;
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.calls.set(id, { resolve, reject });
      if (this.calls.size === 1) worker.ref();
      worker.postMessage({ id, method, args });
    }).finally(() => {
      if (this.calls.size === 0) worker.unref();
    });
  }

  private failAll(error: Error): void {
    for (const call of this.calls.values()) call.reject(error);
    this.calls.clear();
  }
}
