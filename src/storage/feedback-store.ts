/** A logged request as feedback refers to it: whose it is and what answered it. */
export interface FeedbackTarget {
  requestId: string;
  tenant: string | null;
  /** The model whose answer the client got (null when none was served). */
  model: string | null;
  /** The routed target. */
  route: string | null;
  /** The task type the router gave the request, when the routing policy ran. */
  taskType: string | null;
}

/** One metric's value for one request, with the request's facts copied for aggregation. */
export interface FeedbackRecord extends FeedbackTarget {
  metric: string;
  /** The value; a boolean metric is stored as 1 or 0. */
  value: number;
  /** Epoch ms. */
  createdAt: number;
  comment: string | null;
  /** The answer that should have been given, as content logging keeps it. */
  demonstration: string | null;
  /** The virtual key that sent the feedback, when keys are on. */
  keyId: string | null;
}

/** Feedback of one metric on one model, route and task type. */
export interface FeedbackGroup {
  metric: string;
  model: string | null;
  route: string | null;
  taskType: string | null;
  count: number;
  /** Mean value (the share of `true` for a boolean metric). */
  mean: number;
}

/**
 * Feedback on logged requests, kept beside the request log (SQLite for one node, Postgres for
 * replicas). One contract test suite runs against every implementation.
 */
export interface FeedbackStore {
  /** The request's row; undefined when the log holds no such request (yet). */
  findRequest(requestId: string): Promise<FeedbackTarget | undefined>;
  /**
   * Stores `record`, replacing an earlier value of the same metric for the same request (the latest
   * word counts); true when it replaced one.
   */
  recordFeedback(record: FeedbackRecord): Promise<boolean>;
  /** Counts and means per metric, model, route and task type, of feedback given since `since`. */
  summarizeFeedback(since: number): Promise<FeedbackGroup[]>;
  /** Every record given since `since` (epoch ms), oldest first. */
  listFeedback(since: number): Promise<FeedbackRecord[]>;
  close(): Promise<void>;
}
