import { z } from 'zod';

/**
 * The request log (one row per request and one per model attempt), and beside it the tenants and
 * virtual keys.
 */
export const storageSchema = z.strictObject({
  /**
   * Where rows go: `sqlite` (one file, one replica), `postgres` (one database that every replica
   * writes; tenants and keys live there too) or `off` (no log; metrics and the per-request log
   * line remain, and tenants and keys stay in the SQLite file).
   */
  requestLog: z.enum(['sqlite', 'postgres', 'off']).default('sqlite'),
  sqlite: z
    .strictObject({
      /** Database file, relative to the working directory. Opened in WAL mode. */
      path: z.string().min(1).default('./switchyard.db'),
    })
    .default({ path: './switchyard.db' }),
  postgres: z
    .strictObject({
      /**
       * The environment variable holding the connection URL
       * (`postgres://user:password@host:5432/switchyard`); the URL itself never goes in the file.
       */
      urlEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
        .default('SWITCHYARD_DATABASE_URL'),
    })
    .default({ urlEnv: 'SWITCHYARD_DATABASE_URL' }),
  /**
   * What is kept of prompts and answers, in the log and in the per-request log line: `none`,
   * `redacted` (PII replaced by its kind, e.g. `[EMAIL]`) or `full`.
   */
  content: z.enum(['none', 'redacted', 'full']).default('redacted'),
  /**
   * Rows are written after their answer is sent, in batches: a batch is committed once it holds
   * this many rows...
   */
  batchSize: z.int().positive().max(10_000).default(200),
  /** ...or this long after its first row: the most a crash can lose. */
  flushIntervalMs: z.int().positive().default(250),
});

export type StorageConfig = z.infer<typeof storageSchema>;
export type ContentLogging = StorageConfig['content'];
