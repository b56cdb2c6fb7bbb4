import type { RequestOutcome } from '../contract/index.js';

/**
 * Where request outcomes are kept: one `requests` row per request and one `attempts` row per model
 * call. `append` never blocks the request: rows are queued and written in batches; `close` writes
 * what is queued and releases the store.
 */
export interface RequestLog {
  append(outcome: RequestOutcome): void;
  /** Rows accepted but not yet written. */
  readonly pendingRows: number;
  /** Rows that could not be written (each also reported to the store's error callback). */
  readonly failedRows: number;
  /** Writes every queued row now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
