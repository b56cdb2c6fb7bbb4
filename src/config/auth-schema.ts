import { z } from 'zod';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

/**
 * Who may call the gateway. `none`: open (or guarded by `server.apiKeyEnv`'s single token, as
 * before). `keys`: every `/v1` request needs a virtual key (`sy-...`) of a tenant, created with
 * `switchyard keys create` or the admin API; its tenant's and its own budgets, rate limits and
 * allowed models apply.
 */
export const authSchema = z.strictObject({
  mode: z.enum(['none', 'keys']).default('none'),
  /** The environment variable holding the admin key that authorises `/admin/v1`; off when unset. */
  adminKeyEnv: envName.optional(),
  /**
   * Output tokens a request is assumed to generate when it sets no `max_tokens`, for reserving its
   * cost against budgets; the upstream is then asked for at most this many, so the reservation holds.
   */
  defaultMaxOutputTokens: z.int().positive().max(1_000_000).default(4_096),
});

export type AuthConfig = z.infer<typeof authSchema>;
