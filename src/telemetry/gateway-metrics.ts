import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Attempt, Usage } from '../contract/index.js';
import { LabelledCounter, LabelledHistogram } from './labelled-metrics.js';

/** What the metrics need to know about one finished request (bounded label values only). */
export interface RequestSample {
  /** The target the routing decision picked. */
  route: string;
  /** The model whose answer the client got; `none` when every attempt failed. */
  model: string;
  /** HTTP status the client saw (499 when it left first). */
  status: number;
  durationSeconds: number;
  /** Time the gateway itself added: total minus time spent waiting on models and on retry backoff. */
  overheadSeconds: number;
  attempts: readonly Attempt[];
  escalation?: { from: string; to: string; reason: string };
  costUsd: number | null;
  baselineCostUsd: number | null;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// Gateway overhead is meant to be sub-millisecond; buckets resolve it.
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];
const CIRCUIT_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;
const NO_LABELS: readonly string[] = [];

/** Live state read at scrape time. */
export interface GaugeSources {
  circuitStates(): { model: string; state: keyof typeof CIRCUIT_STATES }[];
  queueDepths(): { model: string; running: number; waiting: number }[];
  requestLogPendingRows(): number;
  /** Rows the request log failed to write, since start. */
  requestLogFailedRows(): number;
}

/**
 * Every Prometheus metric the gateway exports. Process metrics and the gauges read at scrape time
 * are prom-client's, on its own registry (so several gateways in one process, as in tests, do not
 * collide); the series every request updates are `LabelledCounter`s and `LabelledHistogram`s,
 * cheaper per update. Names follow `switchyard_<noun>_<unit>`.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  // Updated by every request: our own series (labelled-metrics.ts), not prom-client's.
  private readonly requests: LabelledCounter;
  private readonly requestDuration: LabelledHistogram;
  private readonly upstreamDuration: LabelledHistogram;
  private readonly overhead: LabelledHistogram;
  private readonly timeToFirstToken: LabelledHistogram;
  private readonly attempts: LabelledCounter;
  private readonly tokens: LabelledCounter;
  private readonly cost: LabelledCounter;
  private readonly baselineCost: LabelledCounter;
  private readonly unpricedAttempts: LabelledCounter;
  private readonly escalations: LabelledCounter;
  private readonly fallbacks: LabelledCounter;
  private readonly perRequest: readonly { render(): string }[];

  constructor(sources: GaugeSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new LabelledCounter({
      name: 'switchyard_requests_total',
      help: 'Chat completion requests by routed target, answering model and HTTP status.',
      labelNames: ['route', 'model', 'status'],
    });
    this.requestDuration = new LabelledHistogram({
      name: 'switchyard_request_duration_seconds',
      help: 'Whole request time, from arrival to the last byte sent.',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
    });
    this.upstreamDuration = new LabelledHistogram({
      name: 'switchyard_upstream_duration_seconds',
      help: 'Time of each model attempt.',
      labelNames: ['model', 'status'],
      buckets: LATENCY_BUCKETS,
    });
    this.overhead = new LabelledHistogram({
      name: 'switchyard_gateway_overhead_seconds',
      help: 'Time the gateway added to a request: total minus model attempts and retry backoff.',
      buckets: OVERHEAD_BUCKETS,
    });
    this.timeToFirstToken = new LabelledHistogram({
      name: 'switchyard_time_to_first_token_seconds',
      help: 'Time from the start of a model attempt to its first answer part.',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS,
    });
    this.attempts = new LabelledCounter({
      name: 'switchyard_attempts_total',
      help: 'Model attempts by model, role (primary, retry, fallback, escalation) and status.',
      labelNames: ['model', 'role', 'status'],
    });
    this.tokens = new LabelledCounter({
      name: 'switchyard_tokens_total',
      help: 'Tokens by model and kind (input includes cached input; output includes reasoning).',
      labelNames: ['model', 'kind'],
    });
    this.cost = new LabelledCounter({
      name: 'switchyard_cost_usd_total',
      help: 'What the model attempts cost, in USD (unknown prices count as zero).',
      labelNames: ['model'],
    });
    this.baselineCost = new LabelledCounter({
      name: 'switchyard_baseline_cost_usd_total',
      help: 'What the baseline model would have cost for the same answers, in USD.',
    });
    this.unpricedAttempts = new LabelledCounter({
      name: 'switchyard_unpriced_attempts_total',
      help: 'Model attempts whose cost is unknown because the model has no price; their requests are logged with a NULL cost.',
      labelNames: ['model'],
    });
    this.escalations = new LabelledCounter({
      name: 'switchyard_escalations_total',
      help: 'Answers re-run on the escalation target, by reason.',
      labelNames: ['from', 'to', 'reason'],
    });
    this.fallbacks = new LabelledCounter({
      name: 'switchyard_fallbacks_total',
      help: 'Requests served by a fallback, by the failed target and the error code that moved them.',
      labelNames: ['from', 'to', 'reason'],
    });
    this.perRequest = [
      this.requests,
      this.requestDuration,
      this.upstreamDuration,
      this.overhead,
      this.timeToFirstToken,
      this.attempts,
      this.tokens,
      this.cost,
      this.baselineCost,
      this.unpricedAttempts,
      this.escalations,
      this.fallbacks,
    ];
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

  observeRequest(sample: RequestSample): void {
    this.requests.inc([sample.route, sample.model, String(sample.status)]);
    this.requestDuration.observe([sample.route], sample.durationSeconds);
    this.overhead.observe(NO_LABELS, Math.max(0, sample.overheadSeconds));
    let fallbackFrom: Attempt | undefined;
    for (const attempt of sample.attempts) {
      if (attempt.status !== 'skipped') {
        this.upstreamDuration.observe([attempt.model, attempt.status], attempt.latencyMs / 1000);
      }
      this.attempts.inc([attempt.model, attempt.role, attempt.status]);
      if (attempt.ttftMs !== undefined) this.timeToFirstToken.observe([attempt.model], attempt.ttftMs / 1000);
      if (attempt.usage) this.countTokens(attempt.model, attempt.usage);
      if (attempt.costUsd) this.cost.inc([attempt.model], attempt.costUsd);
      else if (attempt.costUsd === null && attempt.status !== 'skipped')
        this.unpricedAttempts.inc([attempt.model]);
      if (attempt.role === 'fallback' && attempt.status === 'ok' && fallbackFrom) {
        this.fallbacks.inc([
          fallbackFrom.model,
          attempt.model,
          fallbackFrom.errorCode ?? fallbackFrom.status,
        ]);
      }
      if (attempt.status === 'error' || attempt.status === 'skipped') fallbackFrom = attempt;
    }
    if (sample.baselineCostUsd) this.baselineCost.inc(NO_LABELS, sample.baselineCostUsd);
    if (sample.escalation) {
      this.escalations.inc([sample.escalation.from, sample.escalation.to, sample.escalation.reason]);
    }
  }

  private countTokens(model: string, usage: Usage): void {
    this.countTokenKind(model, 'input', usage.inputTokens);
    this.countTokenKind(model, 'output', usage.outputTokens);
    this.countTokenKind(model, 'cached_input', usage.cachedInputTokens);
    this.countTokenKind(model, 'cache_write_input', usage.cacheWriteInputTokens);
    this.countTokenKind(model, 'reasoning', usage.reasoningTokens);
  }

  private countTokenKind(model: string, kind: string, count: number): void {
    if (count > 0) this.tokens.inc([model, kind], count);
  }

  /** The exposition text for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    const own = this.perRequest.map((metric) => metric.render()).join('\n');
    return { contentType: this.registry.contentType, body: `${await this.registry.metrics()}\n${own}` };
  }
}
