import { z } from 'zod';

export const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65_535).default(8080),
  /** Largest accepted request body. */
  bodyLimitBytes: z
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /**
   * When set, clients must send `Authorization: Bearer <key>` with the key held in this environment
   * variable.
   */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
    .optional(),
  /** Time allowed to receive a request's headers and body (slow clients are cut off). */
  requestTimeoutMs: z.int().positive().default(30_000),
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeoutMs: z.int().positive().default(72_000),
  /** On SIGTERM, how long in-flight requests may take to finish. */
  shutdownGraceMs: z.int().positive().default(30_000),
});

export type ServerConfig = z.infer<typeof serverSchema>;
