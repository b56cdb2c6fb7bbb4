import { z } from 'zod';

/**
 * Where rate-limit windows, budget counters and reservations live. `memory`: this process (one
 * replica; spend is rebuilt from the request log at start). `redis`: shared by every replica, so
 * limits hold on their aggregate.
 */
export const stateSchema = z.strictObject({
  store: z.enum(['memory', 'redis']).default('memory'),
  redis: z
    .strictObject({
      /** The environment variable holding the Redis URL (`redis://host:6379/0`). */
      urlEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
        .default('SWITCHYARD_REDIS_URL'),
      /** Prefix of every key the gateway writes, so several gateways can share one Redis. */
      keyPrefix: z.string().min(1).max(64).default('switchyard:'),
    })
    .default({ urlEnv: 'SWITCHYARD_REDIS_URL', keyPrefix: 'switchyard:' }),
  /**
   * When the shared store cannot be reached: `closed` refuses keyed requests with 503
   * `state_store_unavailable`; `open` serves them with this replica's own limits (logged and
   * counted). The gateway reconnects by itself either way.
   */
  onStoreDown: z.enum(['closed', 'open']).default('closed'),
  /** How long a reservation of a replica that died keeps its amount held. */
  reservationTtlMs: z.int().positive().default(600_000),
});

export type StateConfig = z.infer<typeof stateSchema>;
