import type { FastifyRequest } from 'fastify';
import type { SwitchyardConfig } from '../../config/index.js';
import { checkBearerToken } from '../check-bearer-token.js';
import { readCookie, SESSION_COOKIE, verifySessionToken } from './dashboard-session.js';

/**
 * Who may see the dashboard and its statistics: `open` like the gateway when no auth is configured;
 * with a key (the admin key, or else the gateway's one shared key) a login; `locked` when keys are on
 * or an admin key is named but not set, since then no one credential may see every tenant's traffic.
 */
export type DashboardAccess =
  | { mode: 'open' }
  | { mode: 'key'; key: string }
  | { mode: 'locked'; reason: string };

export function decideDashboardAccess(
  config: SwitchyardConfig,
  keys: { adminKey?: string | undefined; apiKey?: string | undefined },
): DashboardAccess {
  if (keys.adminKey) return { mode: 'key', key: keys.adminKey };
  if (config.auth.adminKeyEnv) {
    return {
      mode: 'locked',
      reason: `set ${config.auth.adminKeyEnv} (auth.adminKeyEnv) to use the dashboard`,
    };
  }
  if (config.auth.mode === 'keys') {
    return {
      mode: 'locked',
      reason: 'set auth.adminKeyEnv: with virtual keys, the dashboard needs the admin key',
    };
  }
  if (keys.apiKey) return { mode: 'key', key: keys.apiKey };
  return { mode: 'open' };
}

/** True when the request carries the key as a bearer token or a valid session cookie. */
export function isAuthorized(access: DashboardAccess, request: FastifyRequest): boolean {
  if (access.mode === 'open') return true;
  if (access.mode === 'locked') return false;
  if (request.headers.authorization) return checkBearerToken(request.headers.authorization, access.key);
  return verifySessionToken(readCookie(request.headers.cookie, SESSION_COOKIE), access.key);
}
