/** Which requests a statistic counts; every field left out matches all. Times are epoch ms. */
export interface StatsFilter {
  /** The model whose answer the client got (`final_model`); `none` for requests no model answered. */
  model?: string;
  /** The routing rule (`rule`): a rule's name, `default`, `forced`, `residency`, `over-budget`. */
  rule?: string;
  taskType?: string;
  /** The kind of route reason, as the metrics label it (`default`, `rule`, `fallback`, ...). */
  reason?: string;
  /** An HTTP status (`429`) or a class (`2xx`, `4xx`, `5xx`). */
  status?: string;
  tenant?: string;
  keyId?: string;
}

export interface StatsQuery {
  from: number;
  to: number;
  filter: StatsFilter;
  /** The configured local models, so shares of traffic the small models served can be counted. */
  localModels: readonly string[];
}

/** Sums of one group of requests. Costs sum the known ones; unknown ones are counted instead. */
export interface StatsCounts {
  requests: number;
  /** Served by one of the local models. */
  local: number;
  /** HTTP status 400 or more. */
  errors: number;
  escalated: number;
  fallbacks: number;
  costUsd: number;
  /** Requests whose cost is unknown (an unpriced model): never counted as zero. */
  unknownCost: number;
  baselineCostUsd: number;
  unknownBaseline: number;
  /** Baseline minus cost, over the requests whose cost and baseline cost are both known. */
  savingsUsd: number;
  /** The baseline cost of those same requests (what `savingsUsd` is a share of). */
  comparedBaselineUsd: number;
}

/** Counts of no requests: what a step, a model or a range without rows shows. */
export function createEmptyCounts(): StatsCounts {
  return {
    requests: 0,
    local: 0,
    errors: 0,
    escalated: 0,
    fallbacks: 0,
    costUsd: 0,
    unknownCost: 0,
    baselineCostUsd: 0,
    unknownBaseline: 0,
    savingsUsd: 0,
    comparedBaselineUsd: 0,
  };
}

export interface StatsBucket extends StatsCounts {
  /** The bucket's start, epoch ms. */
  at: number;
  /** Requests per served model (`none`: no answer). */
  models: Record<string, number>;
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ModelLatency {
  model: string;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
}

export interface GroupCount {
  key: string | null;
  requests: number;
  local: number;
  errors: number;
}

export interface StatsOverview {
  from: number;
  to: number;
  stepSeconds: number;
  totals: StatsCounts;
  /** Per served model (`none`: no answer). */
  models: (StatsCounts & { model: string })[];
  series: StatsBucket[];
  why: { rules: GroupCount[]; taskTypes: GroupCount[]; reasons: GroupCount[]; statuses: GroupCount[] };
  latency: {
    /** False for long ranges, whose percentiles come from histograms with bins under 1% wide. */
    exact: boolean;
    models: ModelLatency[];
    /** The gateway's own time: request time minus model attempts and retry backoff. */
    overheadMs: Percentiles;
  };
}

/** A row of the requests table. */
export interface RequestSummary {
  id: string;
  startedAt: string;
  tenant: string | null;
  keyId: string | null;
  user: string | null;
  requestedModel: string | null;
  route: string | null;
  finalModel: string | null;
  rule: string | null;
  reasonKind: string | null;
  taskType: string | null;
  status: number;
  errorCode: string | null;
  escalated: boolean;
  stream: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  baselineCostUsd: number | null;
  latencyMs: number;
  ttftMs: number | null;
}

export interface RequestPage {
  requests: RequestSummary[];
  /** Pass as `before` for the next (older) page; null at the end of the range. */
  next: string | null;
}

export interface AttemptDetail {
  index: number;
  model: string;
  role: string;
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  errorStatus: number | null;
  latencyMs: number;
  ttftMs: number | null;
  modelId: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  confidence: number | null;
}

export interface RequestDetail extends RequestSummary {
  reason: string | null;
  scores: Record<string, unknown> | null;
  escalationReason: string | null;
  errorMessage: string | null;
  overheadMs: number | null;
  configHash: string;
  /** As content logging kept it: null (none), redacted or full. Plain text, never markup. */
  requestContent: string | null;
  responseContent: string | null;
  attempts: AttemptDetail[];
}

/** Spend since a time, per tenant or per key (the budget-period sums). */
export interface SpendQuery {
  scope: 'tenant' | 'key';
  id: string;
  since: number;
}

/** Shadow agreement of one model pair per route and task type. */
export interface ShadowAgreement {
  from: string;
  to: string;
  route: string | null;
  taskType: string | null;
  pairs: number;
  scored: number;
  agreed: number;
}

export interface RolloutChange {
  id: string;
  at: number;
  fromShare: number;
  toShare: number;
  cause: string;
}

/** Feedback on the answers of one model, for one metric. */
export interface ModelFeedback {
  model: string | null;
  metric: string;
  ratings: number;
  /** The mean value (for a boolean metric, the share rated true). */
  mean: number;
}

/**
 * Evidence of the migration loop, each part null until its feature has written any: shadow
 * agreement in the range, rollout shares with their changes, feedback by model.
 */
export interface StatsEvidence {
  shadow: ShadowAgreement[] | null;
  feedback: ModelFeedback[] | null;
  rollouts: { id: string; share: number; paused: boolean; changes: RolloutChange[] }[] | null;
}

/**
 * Read-only statistics over the request log, for the dashboard and scripts: bounded queries on
 * indexed time ranges, run off the request path. One contract test suite runs against every
 * implementation and compares its numbers with SQL over the same rows.
 */
export interface RequestStats {
  overview(query: StatsQuery): Promise<StatsOverview>;
  /** Newest first; `before` is the `next` of the previous page. */
  listRequests(query: StatsQuery & { limit: number; before?: string }): Promise<RequestPage>;
  getRequest(id: string): Promise<RequestDetail | undefined>;
  sumSpend(queries: SpendQuery[]): Promise<number[]>;
  evidence(from: number, to: number): Promise<StatsEvidence>;
  close(): Promise<void>;
}
