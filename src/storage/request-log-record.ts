import type { Attempt, Usage } from '../contract/index.js';

/** One served (or refused) chat request, as the request log keeps it. */
export interface RequestLogRecord {
  /** UUIDv7: sortable by time, also returned to the client as `x-request-id`. */
  id: string;
  /** When the request arrived, epoch milliseconds. */
  startedAt: number;
  tenant: string | null;
  /** The client's end-user id (`user` in the body). */
  user: string | null;
  requestedModel: string | null;
  /** The target the routing decision picked, before any fallback or escalation. */
  route: string | null;
  /** The rule that decided (`default`, a rule's name, `forced`, `residency`). */
  rule: string | null;
  /** One sentence: why the answer came from where it came from. */
  reason: string | null;
  /** Router features and scores (task type, complexity, tokens, PII kinds). */
  scores: Record<string, unknown> | null;
  escalated: boolean;
  escalationReason: string | null;
  /** The model whose answer the client got. */
  finalModel: string | null;
  /** HTTP status the client saw (499: it disconnected first). */
  status: number;
  errorCode: string | null;
  errorMessage: string | null;
  stream: boolean;
  /** Arrival to first byte of the answer sent to the client. */
  ttftMs: number | null;
  /** Arrival to last byte. */
  latencyMs: number;
  /** Usage of the answer the client got (what its `usage` field said). */
  usage: Usage | null;
  /** Spend of every attempt together (a discarded small-model answer included); null if unknown. */
  costUsd: number | null;
  /** What the baseline model would have charged for the answer's tokens. */
  baselineCostUsd: number | null;
  /** sha256 of the effective config that served the request. */
  configHash: string;
  /** Prompt and answer per the content-logging setting (null for `none`). */
  requestContent: string | null;
  responseContent: string | null;
  attempts: Attempt[];
}

/**
 * Where request rows go. `append` never blocks the request: rows are queued and written in batches;
 * `close` writes what is queued and releases the store.
 */
export interface RequestLog {
  append(record: RequestLogRecord): void;
  /** Rows accepted but not yet written. */
  readonly pendingRows: number;
  /** Rows that could not be written (each also reported to the store's error callback). */
  readonly failedRows: number;
  /** Writes every queued row now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
