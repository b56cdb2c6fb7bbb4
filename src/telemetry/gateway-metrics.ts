import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry, Summary } from 'prom-client';
import type { RequestOutcome, Usage } from '../contract/index.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// Gateway overhead is meant to be sub-millisecond; buckets resolve it.
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];
const CIRCUIT_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Live state read at scrape time. */
export interface GaugeSources {
  circuitStates(): { model: string; state: keyof typeof CIRCUIT_STATES }[];
  queueDepths(): { model: string; running: number; waiting: number }[];
  requestLogPendingRows(): number;
  /** Rows the request log failed to write, since start. */
  requestLogFailedRows(): number;
}

/**
 * Every Prometheus metric the gateway exports, as prom-client metrics on this instance's own
 * registry: several gateways can live in one process (as in tests) without their series colliding
 * in prom-client's global registry. Names follow `switchyard_<noun>_<unit>`; labels are bounded
 * (model, route, reason, status), never request ids.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'model' | 'reason' | 'status'>;
  private readonly requestDuration: Histogram<'route'>;
  private readonly upstreamDuration: Histogram<'model' | 'status'>;
  private readonly overhead: Histogram;
  private readonly timeToFirstToken: Histogram<'model'>;
  private readonly attempts: Counter<'model' | 'role' | 'status'>;
  private readonly tokens: Counter<'model' | 'kind'>;
  private readonly cost: Counter<'model'>;
  private readonly baselineCost: Counter;
  private readonly unpricedAttempts: Counter<'model'>;
  private readonly stateStoreErrors: Counter;
  private readonly shadowPairs: Counter<'from' | 'to' | 'route' | 'task_type' | 'agreement'>;
  private readonly shadowDropped: Counter<'from' | 'to'>;
  private readonly rolloutShare: Gauge<'rollout' | 'from' | 'to'>;
  private readonly rolloutChanges: Counter<'rollout' | 'cause'>;
  private readonly escalations: Counter<'from' | 'to' | 'reason'>;
  private readonly fallbacks: Counter<'from' | 'to' | 'reason'>;
  private readonly feedback: Summary<'metric' | 'model' | 'route' | 'task_type'>;

  constructor(sources: GaugeSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'switchyard_requests_total',
      help: 'Chat completion requests by routed target, answering model, kind of route reason and HTTP status (route, model and reason are none for a request refused before routing).',
      labelNames: ['route', 'model', 'reason', 'status'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'switchyard_request_duration_seconds',
      help: 'Whole request time, from arrival to the last byte sent.',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'switchyard_upstream_duration_seconds',
      help: 'Time of each model attempt.',
      labelNames: ['model', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.overhead = new Histogram({
      name: 'switchyard_gateway_overhead_seconds',
      help: 'Time the gateway added to a request: total minus model attempts and retry backoff.',
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.timeToFirstToken = new Histogram({
      name: 'switchyard_time_to_first_token_seconds',
      help: 'Time from the start of a model attempt to its first answer part.',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.attempts = new Counter({
      name: 'switchyard_attempts_total',
      help: 'Model attempts by model, role (primary, retry, fallback, escalation) and status.',
      labelNames: ['model', 'role', 'status'],
      registers,
    });
    this.tokens = new Counter({
      name: 'switchyard_tokens_total',
      help: 'Tokens by model and kind (input includes cached input; output includes reasoning).',
      labelNames: ['model', 'kind'],
      registers,
    });
    this.cost = new Counter({
      name: 'switchyard_cost_usd_total',
      help: 'What the model attempts cost, in USD (unknown prices count as zero).',
      labelNames: ['model'],
      registers,
    });
    // Unlabelled, so prom-client exports it at 0 from the start: a rate() has a first sample.
    this.baselineCost = new Counter({
      name: 'switchyard_baseline_cost_usd_total',
      help: 'What the baseline model would have cost for the same answers, in USD.',
      registers,
    });
    this.unpricedAttempts = new Counter({
      name: 'switchyard_unpriced_attempts_total',
      help: 'Model attempts whose cost is unknown because the model has no price; their requests are logged with a NULL cost.',
      labelNames: ['model'],
      registers,
    });
    this.stateStoreErrors = new Counter({
      name: 'switchyard_state_store_errors_total',
      help: 'Calls to the shared state store (Redis) that failed: a keyed request was refused (onStoreDown closed) or limited by this replica alone (open).',
      registers,
    });
    this.shadowPairs = new Counter({
      name: 'switchyard_shadow_pairs_total',
      help: 'Shadow calls scored against the answer they shadowed, by model pair, route and task type: agreement agree, disagree, or unknown (the shadow call failed).',
      labelNames: ['from', 'to', 'route', 'task_type', 'agreement'],
      registers,
    });
    this.shadowDropped = new Counter({
      name: 'switchyard_shadow_dropped_total',
      help: 'Sampled shadow calls dropped because maxConcurrent were already running.',
      labelNames: ['from', 'to'],
      registers,
    });
    this.rolloutShare = new Gauge({
      name: 'switchyard_rollout_share',
      help: "Each rollout's current share of its from-model's routed requests moved to its to-model.",
      labelNames: ['rollout', 'from', 'to'],
      registers,
    });
    this.rolloutChanges = new Counter({
      name: 'switchyard_rollout_changes_total',
      help: 'Changes of a rollout made by this replica, by cause: raise or rollback (the controller), manual, pause, resume.',
      labelNames: ['rollout', 'cause'],
      registers,
    });
    this.escalations = new Counter({
      name: 'switchyard_escalations_total',
      help: 'Answers re-run on the escalation target, by reason.',
      labelNames: ['from', 'to', 'reason'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'switchyard_fallbacks_total',
      help: 'Requests served by a fallback, by the failed target and the error code that moved them.',
      labelNames: ['from', 'to', 'reason'],
      registers,
    });
    // A summary without quantiles: its _count and _sum give the number of values and their mean
    // (the share of true for a boolean metric), and a declared range may go below zero.
    this.feedback = new Summary({
      name: 'switchyard_feedback_value',
      help: 'Feedback values received (true is 1), by declared metric and the model, route and task type of the request they rate.',
      labelNames: ['metric', 'model', 'route', 'task_type'],
      percentiles: [],
      registers,
    });
    registerScrapeTimeMetrics(sources, registers);
  }

  /** Counts one scored shadow pair; route and task type are those of the request it shadowed. */
  observeShadowPair(pair: {
    from: string;
    to: string;
    route: string | null;
    taskType: string | null;
    agreement: number | null;
  }): void {
    const agreement = pair.agreement === null ? 'unknown' : pair.agreement >= 1 ? 'agree' : 'disagree';
    this.shadowPairs.inc({
      from: pair.from,
      to: pair.to,
      route: pair.route ?? 'none',
      task_type: pair.taskType ?? 'none',
      agreement,
    });
  }

  countShadowDropped(pair: { from: string; to: string }): void {
    this.shadowDropped.inc(pair);
  }

  setRolloutShare(rollout: { id: string; from: string; to: string; share: number }): void {
    this.rolloutShare.set({ rollout: rollout.id, from: rollout.from, to: rollout.to }, rollout.share);
  }

  countRolloutChange(change: { id: string; cause: string }): void {
    this.rolloutChanges.inc({ rollout: change.id, cause: change.cause });
  }

  countStateStoreError(): void {
    this.stateStoreErrors.inc();
  }

  /** Counts one finished request: every label is a view of its outcome. */
  observe(outcome: RequestOutcome): void {
    const route = outcome.decision?.target ?? 'none';
    this.requests.inc({
      route,
      model: outcome.servedModel ?? 'none',
      reason: outcome.reason?.kind ?? 'none',
      status: outcome.status,
    });
    this.requestDuration.observe({ route }, outcome.timings.latencyMs / 1000);
    this.overhead.observe(Math.max(0, outcome.timings.overheadMs / 1000));
    for (const attempt of outcome.attempts) {
      const { model, status } = attempt;
      if (status !== 'skipped') this.upstreamDuration.observe({ model, status }, attempt.latencyMs / 1000);
      this.attempts.inc({ model, role: attempt.role, status });
      if (attempt.ttftMs !== undefined) this.timeToFirstToken.observe({ model }, attempt.ttftMs / 1000);
      if (attempt.usage) this.countTokens(model, attempt.usage);
      if (attempt.costUsd) this.cost.inc({ model }, attempt.costUsd);
      else if (attempt.costUsd === null && status !== 'skipped') this.unpricedAttempts.inc({ model });
    }
    if (outcome.baselineCostUsd) this.baselineCost.inc(outcome.baselineCostUsd);
    const reason = outcome.reason;
    if (reason?.kind === 'fallback')
      this.fallbacks.inc({ from: reason.from, to: reason.to, reason: reason.cause });
    const escalation = outcome.escalation;
    if (escalation && outcome.attempts.some((attempt) => attempt.role === 'escalation')) {
      this.escalations.inc({ from: escalation.from, to: escalation.to, reason: escalation.why });
    }
  }

  /** Counts one feedback value; every label is a declared metric or a fact of the rated request. */
  observeFeedback(feedback: {
    metric: string;
    value: number;
    model: string | null;
    route: string | null;
    taskType: string | null;
  }): void {
    const labels = {
      metric: feedback.metric,
      model: feedback.model ?? 'none',
      route: feedback.route ?? 'none',
      task_type: feedback.taskType ?? 'none',
    };
    this.feedback.observe(labels, feedback.value);
  }

  private countTokens(model: string, usage: Usage): void {
    this.countTokenKind(model, 'input', usage.inputTokens);
    this.countTokenKind(model, 'output', usage.outputTokens);
    this.countTokenKind(model, 'cached_input', usage.cachedInputTokens);
    this.countTokenKind(model, 'cache_write_input', usage.cacheWriteInputTokens);
    this.countTokenKind(model, 'reasoning', usage.reasoningTokens);
  }

  private countTokenKind(model: string, kind: string, count: number): void {
    if (count > 0) this.tokens.inc({ model, kind }, count);
  }

  /** The exposition text for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** The series whose values are read from live state when Prometheus scrapes. */
function registerScrapeTimeMetrics(sources: GaugeSources, registers: Registry[]): void {
  new Counter({
    name: 'switchyard_request_log_failed_rows_total',
    help: 'Request-log rows that could not be written.',
    registers,
    collect() {
      this.reset();
      this.inc(sources.requestLogFailedRows());
    },
  });
  new Gauge({
    name: 'switchyard_circuit_state',
    help: 'Circuit breaker per target: 0 closed, 1 half-open, 2 open.',
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const { model, state } of sources.circuitStates()) this.set({ model }, CIRCUIT_STATES[state]);
    },
  });
  new Gauge({
    name: 'switchyard_queue_depth',
    help: 'Requests running and waiting on a queueing model (the embedded one).',
    labelNames: ['model', 'state'],
    registers,
    collect() {
      this.reset();
      for (const { model, running, waiting } of sources.queueDepths()) {
        this.set({ model, state: 'running' }, running);
        this.set({ model, state: 'waiting' }, waiting);
      }
    },
  });
  new Gauge({
    name: 'switchyard_request_log_pending_rows',
    help: 'Request-log rows accepted but not yet written.',
    registers,
    collect() {
      this.set(sources.requestLogPendingRows());
    },
  });
}
