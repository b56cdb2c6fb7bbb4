import { z } from 'zod';

/** Per-target time and size limits for an HTTP backend. */
export const timeoutsSchema = z.strictObject({
  /** TCP + TLS connect. */
  connectMs: z.int().positive().default(5_000),
  /** From sending the request to the upstream's response headers. */
  firstByteMs: z.int().positive().default(60_000),
  /**
   * Longest silence between two pieces of a response body once its headers came, the wait for the
   * first streamed chunk included (a reasoning model may think a while before it).
   */
  idleMs: z.int().positive().default(60_000),
  /** The whole call, streaming included. */
  totalMs: z.int().positive().default(600_000),
  /**
   * Largest response body, JSON or stream; a larger one ends the attempt as a retryable upstream
   * fault, so a runaway upstream cannot fill the gateway's memory.
   */
  maxResponseBytes: z
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  /**
   * Longest line of a streamed (SSE) response: one event's `data:` field. Each event is parsed
   * whole, so this bounds both the memory and the parsing time one event may take.
   */
  maxEventBytes: z
    .int()
    .positive()
    .default(1024 * 1024),
});

export type TimeoutsConfig = z.infer<typeof timeoutsSchema>;
