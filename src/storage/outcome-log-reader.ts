import type { FeedbackRecord } from './feedback-store.js';

/** One logged request, as offline learning reads it back. */
export interface LoggedOutcome {
  id: string;
  /** Epoch ms. */
  startedAt: number;
  tenant: string | null;
  route: string | null;
  rule: string | null;
  /** The model whose answer the client got. */
  finalModel: string | null;
  status: number;
  escalated: boolean;
  /** The check the small model's answer failed (`invalid_json`, `verifier:arithmetic`, ...). */
  escalationReason: string | null;
  /** The router's scores as logged (taskType, complexity, intent, inScope, ...). */
  scores: Record<string, unknown> | null;
  /** `role: content` lines, as content logging kept them (null with `storage.content: none`). */
  requestContent: string | null;
  responseContent: string | null;
}

/** One shadow call as offline learning reads it: which answer it was compared with, and the verdict. */
export interface LoggedShadowPair {
  requestId: string;
  createdAt: number;
  /** The model that answered the client. */
  from: string;
  /** The model that ran in the shadow. */
  to: string;
  status: string;
  /** 1 when the two answers agree, 0 when not, null when the shadow call failed. */
  agreement: number | null;
  judgeVerdict: string | null;
  /** The shadow answer as content logging keeps it. */
  shadowContent: string | null;
}

/**
 * The request log read back for learning from it (`router train --from-log`, `export finetune`):
 * requests, shadow pairs and feedback since a time, oldest first. Read-only; the gateway may keep
 * writing meanwhile.
 */
export interface OutcomeLogReader {
  listOutcomes(since: number): Promise<LoggedOutcome[]>;
  /** Empty when the log predates shadow pairs. */
  listShadowPairs(since: number): Promise<LoggedShadowPair[]>;
  listFeedback(since: number): Promise<FeedbackRecord[]>;
  close(): Promise<void>;
}
