import type { Attempt } from '../contract/index.js';

/** How a shadow call's answer compared with the answer the client got. */
export interface ShadowScores {
  exact: boolean;
  /** Equal after lower-casing, dropping punctuation and collapsing white space. */
  normalized: boolean;
  /** For structured output: the two parse to equal JSON (null when not JSON). */
  json: boolean | null;
  /** For tool calls: the same tools with equal arguments (null when neither called one). */
  tool: boolean | null;
  /** The small model's answer passes the configured post-generation checks (null when none run). */
  verifiersOk: boolean | null;
  /** The judge model's verdict, when one is configured. */
  judge: 'agree' | 'disagree' | null;
  /** Word-set overlap of the two texts, 0..1, to rank disagreements. */
  similarity: number;
}

/** One shadow call: the same request run on `to` beside the answer `from` gave. */
export interface ShadowPairRecord {
  requestId: string;
  /** Epoch ms. */
  createdAt: number;
  from: string;
  to: string;
  route: string | null;
  rule: string | null;
  taskType: string | null;
  /** The shadow call itself (role `shadow`), costed like any attempt. */
  attempt: Attempt;
  /** What the answer the client got cost. */
  primaryCostUsd: number | null;
  scores: ShadowScores | null;
  /** 1 when the two answers agree, 0 when not, null when the shadow call failed. */
  agreement: number | null;
  /** The shadow answer as content logging keeps it. */
  content: string | null;
}

/** Agreement of one model pair on one route and task type. */
export interface ShadowGroup {
  from: string;
  to: string;
  route: string | null;
  taskType: string | null;
  pairs: number;
  /** Pairs whose agreement is known (the shadow call answered). */
  scored: number;
  agreed: number;
  primaryCostUsd: number;
  shadowCostUsd: number;
}

export interface ShadowDisagreement {
  requestId: string;
  createdAt: number;
  from: string;
  to: string;
  taskType: string | null;
  similarity: number;
  judge: 'agree' | 'disagree' | null;
}

/** A gradual rollout's shared state: the share of `from`'s requests that go to `to`. */
export interface RolloutState {
  id: string;
  share: number;
  /** The last share whose evidence held, where a rollback returns to. */
  lastGoodShare: number;
  paused: boolean;
  updatedAt: number;
  /** Bumped by every change: a replica's change applies only over the version it read. */
  version: number;
}

/** One change of a rollout's share, with what caused it. */
export interface RolloutEvent {
  id: string;
  at: number;
  fromShare: number;
  toShare: number;
  /** `manual`, `raise`, `rollback`, `pause`, `resume`, `config`. */
  cause: string;
  evidence: Record<string, unknown> | null;
}

/**
 * The migration loop's evidence, beside the request log: scored shadow pairs (each also an attempt
 * row of role `shadow` of its request) and rollout state shared by every replica.
 */
export interface EvidenceStore {
  /** The request's own row must be written first (its attempts refer to it). */
  appendShadowPair(record: ShadowPairRecord, attemptIndex: number): Promise<void>;
  summarizeShadow(since: number): Promise<ShadowGroup[]>;
  listDisagreements(since: number, limit: number): Promise<ShadowDisagreement[]>;
  readRollouts(): Promise<RolloutState[]>;
  /**
   * Writes `next` if the stored version is still `expectedVersion` (0: the rollout is new), with
   * its event; false when another replica changed it first.
   */
  updateRollout(
    next: Omit<RolloutState, 'version'>,
    expectedVersion: number,
    event: RolloutEvent,
  ): Promise<boolean>;
  listRolloutEvents(id: string | undefined, limit: number): Promise<RolloutEvent[]>;
  /** Requests logged under `rule` since `since`, and how many of them escalated. */
  countRuleOutcomes(rule: string, since: number): Promise<{ requests: number; escalated: number }>;
  close(): Promise<void>;
}
