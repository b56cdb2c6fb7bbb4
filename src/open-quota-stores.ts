import type { Logger } from 'pino';
import type { SwitchyardConfig } from './config/index.js';
import { StartupError } from './errors/index.js';
import { MemoryQuotaStore, type QuotaStore, RedisQuotaStore } from './storage/index.js';

/** The quota stores `config.state` names: the shared one, and this replica's own beside it. */
export interface QuotaStores {
  quotas: QuotaStore;
  localQuotas: QuotaStore;
  close(): Promise<void>;
}

/** How often an unreachable Redis is reported in the log while it stays down. */
const REPORT_EVERY_MS = 10_000;

/**
 * Opens the quota stores. With Redis, the gateway starts even while Redis is down (requests are
 * then refused or counted locally, per `state.onStoreDown`) and reconnects by itself.
 */
export async function openQuotaStores(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<QuotaStores> {
  const localQuotas = new MemoryQuotaStore();
  if (config.state.store === 'memory') {
    return { quotas: localQuotas, localQuotas, close: () => localQuotas.close() };
  }
  const { urlEnv, keyPrefix } = config.state.redis;
  const url = env[urlEnv];
  if (!url) {
    throw new StartupError(
      `state.store is redis, but the environment variable ${urlEnv} (state.redis.urlEnv) is not set.`,
    );
  }
  let lastReport = 0;
  const quotas = new RedisQuotaStore({
    url,
    keyPrefix,
    onError: (error) => {
      const now = Date.now();
      if (now - lastReport < REPORT_EVERY_MS) return;
      lastReport = now;
      logger.warn({ err: error }, 'Redis (state store) unreachable; reconnecting');
    },
  });
  if (!(await quotas.ready()))
    logger.warn({ urlEnv }, 'Redis (state store) not reachable at start-up; serving per state.onStoreDown');
  return {
    quotas,
    localQuotas,
    async close() {
      await Promise.all([quotas.close(), localQuotas.close()]);
    },
  };
}
