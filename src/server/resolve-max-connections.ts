import { readFileSync } from 'node:fs';
import type { SwitchyardConfig } from '../config/index.js';

/** Descriptors the gateway keeps for itself: stdio, the listening socket, the database and its journal, the event loop's own. */
const OWN_DESCRIPTORS = 64;
/** Where the open-file limit cannot be read (not Linux): a limit most systems allow. */
const UNKNOWN_LIMIT_DEFAULT = 4_096;
const LEAST = 16;

/** The process's soft limit on open files (Node raises it to the hard limit at start), if known. */
export function readOpenFileLimit(path = '/proc/self/limits'): number | undefined {
  try {
    const line = readFileSync(path, 'utf8')
      .split('\n')
      .find((row) => row.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    const limit = Number(soft);
    return soft !== undefined && Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `server.maxConnections`, or what fits this process: every client connection is a descriptor,
 * and running out of them fails upstream calls and request-log writes, not just new clients. So
 * the default leaves room for every upstream pool at its fullest and the gateway's own files.
 */
export function resolveMaxConnections(
  config: Pick<SwitchyardConfig, 'server' | 'models'>,
  openFileLimit: number | undefined = readOpenFileLimit(),
): number {
  if (config.server.maxConnections !== undefined) return config.server.maxConnections;
  if (openFileLimit === undefined) return UNKNOWN_LIMIT_DEFAULT;
  let upstream = 0;
  for (const model of Object.values(config.models)) {
    if ('maxConnections' in model) upstream += model.maxConnections;
  }
  return Math.max(LEAST, openFileLimit - upstream - OWN_DESCRIPTORS);
}
