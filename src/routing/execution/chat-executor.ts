import type { AttemptCostMeter, PriceBook } from '../../accounting/index.js';
import type { EscalationConfig, RoutingConfig } from '../../config/index.js';
import type {
  Attempt,
  ChatModel,
  ChatRequest,
  ChatResult,
  StreamEvents,
  StreamPart,
} from '../../contract/index.js';
import {
  AllTargetsFailedError,
  ClientClosedError,
  type GatewayError,
  isGatewayError,
  UpstreamError,
} from '../../errors/index.js';
import { countUsageLocally } from '../../providers/shared/index.js';
import { checkAnswer, type FailedCheck } from '../escalation/check-answer.js';
import type { ResolvedTarget } from '../model-resolver.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { canFallBack, describeFallback, exceedsModelLimits, toGatewayError } from './classify-failure.js';
import { computeRetryDelay } from './compute-retry-delay.js';
import { convertResultToStreamParts } from './convert-result-to-stream-parts.js';
import type { ExecutionReport } from './execution-report.js';
import { sleepUnlessAborted } from './sleep-unless-aborted.js';

type Role = 'primary' | 'fallback' | 'escalation';

interface Candidate {
  model: ChatModel;
  role: Role;
}

/** A stream whose first part arrived: the attempt stays open until the stream ends. */
interface OpenStream {
  first: StreamPart;
  rest: AsyncIterator<StreamPart>;
}

interface Served<T> {
  model: ChatModel;
  value: T;
  attempt: Attempt;
  meter: AttemptCostMeter;
  startedAt: number;
  breaker: CircuitBreaker;
}

export type GenerateOutcome =
  | { ok: true; result: ChatResult; report: ExecutionReport }
  | { ok: false; error: GatewayError; report: ExecutionReport };

export type StreamOutcome =
  | { ok: true; parts: AsyncIterable<StreamPart>; report: ExecutionReport }
  | { ok: false; error: GatewayError; report: ExecutionReport };

/**
 * Runs a routed request: the target with retries, then its fallbacks (only before the first byte
 * reaches the client), each behind its own circuit breaker; then, for answers of the escalation's
 * `from` model, the answer check and maybe a re-run on the escalation target. Residency is
 * enforced here too: a request bound to local models never reaches another one.
 */
export class ChatExecutor {
  private readonly models: ReadonlyMap<string, ChatModel>;
  private readonly routing: RoutingConfig;
  private readonly priceBook: PriceBook;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly now: () => number;

  constructor(options: {
    models: ReadonlyMap<string, ChatModel>;
    routing: RoutingConfig;
    priceBook: PriceBook;
    now?: () => number;
  }) {
    this.models = options.models;
    this.routing = options.routing;
    this.priceBook = options.priceBook;
    this.now = options.now ?? (() => performance.now());
    for (const name of options.models.keys()) {
      this.breakers.set(name, new CircuitBreaker(options.routing.circuitBreaker));
    }
  }

  /** Each target's circuit, for /ready and metrics. */
  circuitStates(): { model: string; state: CircuitState; retryAfterMs: number }[] {
    return [...this.breakers].map(([model, breaker]) => ({
      model,
      state: breaker.state,
      retryAfterMs: breaker.retryAfterMs,
    }));
  }

  async generate(
    target: ResolvedTarget,
    request: ChatRequest,
    signal: AbortSignal,
  ): Promise<GenerateOutcome> {
    const report = this.createReport(target);
    const escalation = this.findEscalation(target, false);
    try {
      const served = await this.runCandidates(this.listCandidates(target), report, signal, (model) =>
        model.doGenerate(this.prepareRequest(model, request, escalation), signal),
      );
      let result = served.value;
      report.servedBy = served.model.name;
      const check =
        escalation && served.model.name === escalation.from
          ? checkAnswer(result, request, escalation)
          : undefined;
      if (escalation && check) {
        const escalated = await this.escalate(target, report, signal, escalation, check, (model) =>
          model.doGenerate(request, signal),
        );
        if (escalated) result = escalated.value;
      }
      report.usage = result.usage;
      return { ok: true, result, report };
    } catch (error) {
      return {
        ok: false,
        error: isGatewayError(error) ? error : toGatewayError(error, target.model),
        report,
      };
    }
  }

  /**
   * `onAccepted` is called once, when the first upstream accepts the request (before its first
   * part), so the caller can start its response early. Fallback still works after it: a target
   * that fails before its first part is replaced and the next one's parts follow. Not called on the
   * buffered escalation path, whose answer is only known once checked.
   */
  async stream(
    target: ResolvedTarget,
    request: ChatRequest,
    signal: AbortSignal,
    hooks: { onAccepted?(accepted: { model: string; reason: string }): void } = {},
  ): Promise<StreamOutcome> {
    const report = this.createReport(target);
    const escalation = this.findEscalation(target, true);
    const openStream = (model: ChatModel) => this.openStream(model, request, signal);
    try {
      if (escalation && target.model.name === escalation.from) {
        // Buffered: the small model answers whole, is checked, then replayed or replaced.
        const served = await this.runCandidates(this.listCandidates(target), report, signal, (model) =>
          model.doGenerate(this.prepareRequest(model, request, escalation), signal),
        );
        report.servedBy = served.model.name;
        const check =
          served.model.name === escalation.from ? checkAnswer(served.value, request, escalation) : undefined;
        if (check) {
          const escalated = await this.escalate(target, report, signal, escalation, check, openStream);
          if (escalated)
            return { ok: true, parts: this.followStream(escalated, request, report, signal), report };
        }
        report.usage = served.value.usage;
        return { ok: true, parts: replay(convertResultToStreamParts(served.value)), report };
      }
      let accepted = false;
      const onAccepted = hooks.onAccepted;
      const served = await this.runCandidates(this.listCandidates(target), report, signal, (model) =>
        this.openStream(model, request, signal, {
          onAccepted: () => {
            if (accepted || !onAccepted) return;
            accepted = true;
            const failed = report.attempts.find((attempt) => attempt.status !== 'ok');
            onAccepted({
              model: model.name,
              reason:
                model === target.model
                  ? report.reason
                  : describeFallback(target.model.name, model.name, failed?.errorCode),
            });
          },
        }),
      );
      report.servedBy = served.model.name;
      return { ok: true, parts: this.followStream(served, request, report, signal), report };
    } catch (error) {
      return {
        ok: false,
        error: isGatewayError(error) ? error : toGatewayError(error, target.model),
        report,
      };
    }
  }

  private createReport(target: ResolvedTarget): ExecutionReport {
    return {
      attempts: [],
      servedBy: undefined,
      escalated: false,
      reason: target.reason,
      backoffMs: 0,
      usage: undefined,
    };
  }

  /** The escalation settings when they apply to this request, else undefined. */
  private findEscalation(target: ResolvedTarget, stream: boolean): EscalationConfig | undefined {
    const escalation = this.routing.escalation;
    if (!escalation) return undefined;
    if (target.forced && escalation.applyTo === 'routed') return undefined;
    if (stream && escalation.streaming === 'off') return undefined;
    return escalation;
  }

  /** The small model is asked for token probabilities when its confidence will be judged. */
  private prepareRequest(model: ChatModel, request: ChatRequest, escalation: EscalationConfig | undefined) {
    if (escalation?.minConfidence === undefined || model.name !== escalation.from) return request;
    return Object.assign({}, request, { confidenceRequested: true });
  }

  private isAllowed(model: ChatModel, target: ResolvedTarget): boolean {
    return !target.localOnly || model.isLocal;
  }

  /** The target, then its fallbacks, without repeats and without what residency forbids. */
  private listCandidates(target: ResolvedTarget): Candidate[] {
    const candidates: Candidate[] = [{ model: target.model, role: 'primary' }];
    for (const name of this.routing.fallbacks[target.model.name] ?? []) {
      const model = this.models.get(name);
      if (!model || candidates.some((candidate) => candidate.model === model)) continue;
      if (this.isAllowed(model, target)) candidates.push({ model, role: 'fallback' });
    }
    return candidates;
  }

  /**
   * Re-runs a request whose small-model answer failed its check. Returns the escalation target's
   * answer, or undefined when the small model's answer must stand (residency forbids the target,
   * or every escalation candidate failed); the report says which.
   */
  private async escalate<T>(
    target: ResolvedTarget,
    report: ExecutionReport,
    signal: AbortSignal,
    escalation: EscalationConfig,
    check: FailedCheck,
    invoke: (model: ChatModel) => Promise<T>,
  ): Promise<Served<T> | undefined> {
    const to = this.models.get(escalation.to);
    report.escalation = {
      from: escalation.from,
      to: escalation.to,
      reason: check.reason,
      detail: check.detail,
    };
    if (!to || !this.isAllowed(to, target)) {
      report.reason = `${escalation.from}'s answer failed its check (${check.detail}), but residency keeps this request's PII off ${escalation.to}; served ${escalation.from}'s answer.`;
      return undefined;
    }
    const failedEarlier = new Set(
      report.attempts.filter((attempt) => attempt.status !== 'ok').map((attempt) => attempt.model),
    );
    const candidates: Candidate[] = [];
    for (const name of [escalation.to, ...(this.routing.fallbacks[escalation.to] ?? [])]) {
      const model = this.models.get(name);
      if (!model || name === escalation.from || failedEarlier.has(name)) continue;
      if (this.isAllowed(model, target) && !candidates.some((candidate) => candidate.model === model)) {
        candidates.push({ model, role: 'escalation' });
      }
    }
    if (candidates.length === 0) {
      report.reason = `${escalation.from}'s answer failed its check (${check.detail}), but ${escalation.to} already failed on this request; served ${escalation.from}'s answer.`;
      return undefined;
    }
    try {
      const served = await this.runCandidates(candidates, report, signal, invoke);
      report.escalated = true;
      report.servedBy = served.model.name;
      report.reason = `Escalated from ${escalation.from} to ${served.model.name}: ${check.detail}.`;
      return served;
    } catch (error) {
      if (error instanceof ClientClosedError) throw error;
      report.reason = `${escalation.from}'s answer failed its check (${check.detail}) and escalation to ${escalation.to} failed; served ${escalation.from}'s answer.`;
      return undefined;
    }
  }

  private async openStream(
    model: ChatModel,
    request: ChatRequest,
    signal: AbortSignal,
    events?: StreamEvents,
  ): Promise<OpenStream> {
    const iterator = model.doStream(request, signal, events)[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) {
      throw new UpstreamError({
        message: `Model '${model.name}' ended its stream without answering.`,
        code: 'upstream_invalid_response',
        status: 502,
        isRetryable: true,
      });
    }
    if (first.value.type === 'error') {
      await iterator.return?.();
      throw first.value.error;
    }
    return { first: first.value, rest: iterator };
  }

  /**
   * Calls candidates in order, retrying each on retryable failures, until one answers. A result
   * that is a ChatResult closes its attempt; an open stream leaves it open for `followStream`.
   */
  private async runCandidates<T>(
    candidates: Candidate[],
    report: ExecutionReport,
    signal: AbortSignal,
    invoke: (model: ChatModel) => Promise<T>,
  ): Promise<Served<T>> {
    const { retries } = this.routing;
    const failures: { model: string; message: string; error?: GatewayError; retryAfterMs?: number }[] = [];
    for (const candidate of candidates) {
      const { model } = candidate;
      const breaker = this.breakers.get(model.name) as CircuitBreaker;
      for (let retry = 0; ; retry += 1) {
        if (!breaker.tryAcquire()) {
          const retryAfterMs = breaker.retryAfterMs;
          report.attempts.push({
            model: model.name,
            role: retry === 0 ? candidate.role : 'retry',
            status: 'skipped',
            errorCode: 'circuit_open',
            errorMessage: `circuit open after repeated failures (next probe in ${Math.ceil(retryAfterMs / 1000)} s)`,
            latencyMs: 0,
            costUsd: null,
          });
          failures.push({ model: model.name, message: 'circuit open', retryAfterMs });
          break;
        }
        const startedAt = this.now();
        const meter = this.priceBook.startAttempt(model.name);
        const attempt: Attempt = {
          model: model.name,
          role: retry === 0 ? candidate.role : 'retry',
          status: 'ok',
          latencyMs: 0,
          costUsd: null,
        };
        report.attempts.push(attempt);
        try {
          const value = await invoke(model);
          const elapsed = this.now() - startedAt;
          if (isChatResult(value)) {
            attempt.latencyMs = elapsed;
            attempt.usage = value.usage;
            attempt.modelId = value.modelId;
            if (value.confidence) attempt.confidence = value.confidence.meanTokenProbability;
            attempt.costUsd = meter.finish(value.usage, value.modelId);
            breaker.recordSuccess();
          } else {
            // A stream: its first part arrived; the rest of the attempt is recorded as it ends.
            attempt.ttftMs = elapsed;
          }
          if (candidate.role === 'fallback') {
            const first = failures[0];
            report.reason = describeFallback(
              candidates[0]?.model.name,
              model.name,
              first?.error?.code ?? first?.message,
            );
          }
          return { model, value, attempt, meter, startedAt, breaker };
        } catch (thrown) {
          const error = toGatewayError(thrown, model);
          attempt.latencyMs = this.now() - startedAt;
          attempt.costUsd = meter.finish(undefined);
          if (signal.aborted || error instanceof ClientClosedError) {
            attempt.status = 'aborted';
            attempt.errorCode = 'client_closed';
            breaker.release();
            throw new ClientClosedError();
          }
          attempt.status = 'error';
          attempt.errorCode = error.code;
          attempt.errorMessage = error.message;
          attempt.errorStatus = error.status;
          if (!canFallBack(error)) {
            breaker.release();
            throw error;
          }
          failures.push({ model: model.name, message: error.message, error });
          if (exceedsModelLimits(error)) {
            // Not the target's fault and no retry will change it; a larger model may still fit it.
            breaker.release();
            break;
          }
          breaker.recordFailure();
          const delay =
            error.isRetryable && retry < retries.maxRetries
              ? computeRetryDelay(error, retry, retries)
              : undefined;
          if (delay === undefined) break;
          const waitStart = this.now();
          await sleepUnlessAborted(delay, signal);
          report.backoffMs += this.now() - waitStart;
        }
      }
    }
    throw this.createFailure(failures);
  }

  private createFailure(
    failures: { model: string; message: string; error?: GatewayError; retryAfterMs?: number }[],
  ): GatewayError {
    const errors = failures.flatMap((failure) => (failure.error ? [failure.error] : []));
    const only = errors[0];
    if (failures.length === 1 && only) return only;
    const last = errors.at(-1);
    const retryAfters = failures
      .map((failure) =>
        failure.retryAfterMs !== undefined
          ? Math.ceil(failure.retryAfterMs / 1000)
          : failure.error?.retryAfterSeconds,
      )
      .filter((value): value is number => value !== undefined);
    return new AllTargetsFailedError({
      attempts: failures.map(({ model, message }) => ({ model, message })),
      status: last?.status ?? 503,
      type: last?.type ?? 'server_error',
      retryAfterSeconds: retryAfters.length > 0 ? Math.max(1, Math.min(...retryAfters)) : undefined,
      cause: last,
    });
  }

  /**
   * Passes a stream through, closing its attempt (status, usage, cost) when it ends however it
   * ends. A finished attempt is closed before its `finish` part is handed on: the consumer writes
   * the cost into trailers, the log and metrics as soon as it sees that part, and need not resume
   * this generator afterwards.
   */
  private async *followStream(
    served: Served<OpenStream>,
    request: ChatRequest,
    report: ExecutionReport,
    signal: AbortSignal,
  ): AsyncGenerator<StreamPart> {
    const { attempt, breaker, model } = served;
    // What was generated so far, for counting when the stream ends without the upstream's usage.
    let generated = '';
    let closed = false;
    let failure: unknown;
    let part: StreamPart | undefined = served.value.first;
    try {
      while (part) {
        if (part.type === 'text-delta') generated += part.delta;
        else if (part.type === 'tool-call-delta') generated += part.argumentsDelta;
        else if (part.type === 'finish') {
          attempt.usage = part.usage;
          attempt.modelId = part.modelId;
          if (part.confidence) attempt.confidence = part.confidence.meanTokenProbability;
          report.usage = part.usage;
          attempt.latencyMs = this.now() - served.startedAt;
          attempt.costUsd = served.meter.finish(attempt.usage, attempt.modelId);
          breaker.recordSuccess();
          closed = true;
          yield part;
          return;
        } else if (part.type === 'error') failure = part.error;
        yield part;
        if (failure !== undefined) break;
        const next: IteratorResult<StreamPart> = await served.value.rest.next();
        part = next.done ? undefined : next.value;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      if (!closed) {
        attempt.latencyMs = this.now() - served.startedAt;
        if (!signal.aborted && failure === undefined) failure = new Error('the stream ended early');
        // The upstream may bill what it generated before the cut; count it rather than call it free.
        attempt.usage = countUsageLocally(request, generated, (value) => model.countTokens(value));
        report.usage = attempt.usage;
        if (signal.aborted) {
          attempt.status = 'aborted';
          attempt.errorCode = 'client_closed';
          breaker.release();
        } else {
          const error = toGatewayError(failure, model);
          attempt.status = 'error';
          attempt.errorCode = error.code;
          attempt.errorMessage = error.message;
          attempt.errorStatus = error.status;
          breaker.recordFailure();
        }
        attempt.costUsd = served.meter.finish(attempt.usage, attempt.modelId);
        await served.value.rest.return?.();
      }
    }
  }
}

async function* replay(parts: StreamPart[]): AsyncGenerator<StreamPart> {
  yield* parts;
}

function isChatResult(value: unknown): value is ChatResult {
  return typeof value === 'object' && value !== null && 'finishReason' in value && 'usage' in value;
}
