import { z } from 'zod';

export const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.int().min(0).max(65_535).default(8080),
    /** Largest accepted request body. */
    bodyLimitBytes: z
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    /**
     * After a 413, up to this much more of the refused body is read and dropped, so that a client
     * still uploading reads its answer instead of a connection reset; past it the connection closes.
     */
    bodyDiscardLimitBytes: z
      .int()
      .nonnegative()
      .default(128 * 1024 * 1024),
    /**
     * When set, clients must send `Authorization: Bearer <key>` with the key held in this environment
     * variable.
     */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
      .optional(),
    /** Time allowed to receive a request's headers and body (slow clients get a 408). */
    requestTimeoutMs: z.int().positive().default(30_000),
    /**
     * Time allowed to receive a request's headers, from its first byte or from a new connection
     * (default 10 s, or `requestTimeoutMs` when that is shorter).
     */
    headersTimeoutMs: z.int().positive().optional(),
    /** Idle keep-alive connections are closed after this. */
    keepAliveTimeoutMs: z.int().positive().default(72_000),
    /**
     * Open client connections at most; more are refused at once and counted in
     * `switchyard_connections_refused_total`. Default: what the process's open-file limit allows,
     * less what the upstream connection pools may take.
     */
    maxConnections: z.int().positive().optional(),
    /**
     * How long a stream may wait for a client that stopped reading (its write buffer full). Past it
     * the stream is ended, the upstream call or local generation cancelled, and the request
     * recorded with status 408, `stream_write_timeout`.
     */
    streamWriteTimeoutMs: z.int().positive().default(30_000),
    /** On SIGTERM, how long in-flight requests may take to finish. */
    shutdownGraceMs: z.int().positive().default(30_000),
  })
  .superRefine((server, context) => {
    if (server.headersTimeoutMs !== undefined && server.headersTimeoutMs > server.requestTimeoutMs) {
      context.addIssue({
        code: 'custom',
        path: ['headersTimeoutMs'],
        message: `must not exceed server.requestTimeoutMs (${server.requestTimeoutMs})`,
      });
    }
  });

export type ServerConfig = z.infer<typeof serverSchema>;
