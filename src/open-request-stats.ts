import type { SwitchyardConfig } from './config/index.js';
import {
  PostgresRequestStats,
  type RequestLog,
  type RequestStats,
  SqliteRequestLog,
  SqliteRequestStats,
} from './storage/index.js';

/**
 * The dashboard's statistics over the request log the config names: a worker thread on its own
 * read-only connection to the SQLite file, or a small pool of their own on Postgres. None when the
 * log is off.
 */
export async function openRequestStats(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
  requestLog: RequestLog | undefined,
): Promise<RequestStats | undefined> {
  if (!requestLog) return undefined;
  if (config.storage.requestLog === 'postgres') {
    const url = env[config.storage.postgres.urlEnv];
    return url ? PostgresRequestStats.open({ url }) : undefined;
  }
  if (!(requestLog instanceof SqliteRequestLog)) return undefined;
  return new SqliteRequestStats({ path: config.storage.sqlite.path, requestLog });
}
