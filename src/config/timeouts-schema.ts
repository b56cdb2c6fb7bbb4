import { z } from 'zod';

/** Per-target time limits for an HTTP backend. */
export const timeoutsSchema = z.strictObject({
  /** TCP + TLS connect. */
  connectMs: z.int().positive().default(5_000),
  /** From sending the request to the upstream's response headers (time to first byte). */
  firstByteMs: z.int().positive().default(60_000),
  /** The whole call, streaming included. */
  totalMs: z.int().positive().default(600_000),
});

export type TimeoutsConfig = z.infer<typeof timeoutsSchema>;
