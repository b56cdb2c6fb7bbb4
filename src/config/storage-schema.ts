import { z } from 'zod';

/** The request log: one row per request and one per model attempt. */
export const storageSchema = z.strictObject({
  /** Where rows go; `off` keeps no log (metrics and the per-request log line remain). */
  requestLog: z.enum(['sqlite', 'off']).default('sqlite'),
  sqlite: z
    .strictObject({
      /** Database file, relative to the working directory. Opened in WAL mode. */
      path: z.string().min(1).default('./switchyard.db'),
    })
    .default({ path: './switchyard.db' }),
  /**
   * What is kept of prompts and answers, in the log and in the per-request log line: `none`,
   * `redacted` (PII replaced by its kind, e.g. `[EMAIL]`) or `full`.
   */
  content: z.enum(['none', 'redacted', 'full']).default('redacted'),
  /**
   * Rows go into SQLite after their answer is sent, inside a transaction that is committed once it
   * holds this many rows...
   */
  batchSize: z.int().positive().max(10_000).default(200),
  /** ...or this long after its first row: the most a crash can lose. */
  flushIntervalMs: z.int().positive().default(250),
});

export type StorageConfig = z.infer<typeof storageSchema>;
export type ContentLogging = StorageConfig['content'];
