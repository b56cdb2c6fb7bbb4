import { createHash } from 'node:crypto';
import type { SwitchyardConfig } from './switchyard-config-schema.js';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * sha256 (hex, first 16 characters) of the effective config with keys sorted: the same settings
 * give the same hash whatever the file's key order, so log rows can be grouped by the config that
 * served them. Secrets are never in the config (only the names of their variables). The router's
 * model files are part of what served a request, so the hash of those in use (`routerModelHash`,
 * which changes when they are reloaded) is folded in when given.
 */
export function computeConfigHash(config: SwitchyardConfig, routerModelHash?: string): string {
  const hash = createHash('sha256').update(JSON.stringify(sortKeys(config)));
  if (routerModelHash !== undefined) hash.update(`\nrouter models ${routerModelHash}`);
  return hash.digest('hex').slice(0, 16);
}
