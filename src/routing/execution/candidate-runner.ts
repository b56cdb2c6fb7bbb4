import type { AttemptCostMeter, PriceBook } from '../../accounting/index.js';
import type { CircuitBreakerConfig, RetriesConfig } from '../../config/index.js';
import type { Attempt, AttemptRole, ChatModel, ChatResult } from '../../contract/index.js';
import { AllTargetsFailedError, ClientClosedError, type GatewayError } from '../../errors/index.js';
import type { AttemptLog } from './attempt-log.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { canFallBack, exceedsModelLimits, toGatewayError } from './classify-failure.js';
import { computeRetryDelay } from './compute-retry-delay.js';
import { sleepUnlessAborted } from './sleep-unless-aborted.js';

/** A model to try, and why it is tried. */
export interface Candidate {
  model: ChatModel;
  role: AttemptRole;
}

/**
 * A candidate that answered. For a whole answer (a ChatResult) its attempt is closed; for an open
 * stream the attempt stays open until the stream ends (see followStream).
 */
export interface Served<T> {
  model: ChatModel;
  value: T;
  attempt: Attempt;
  meter: AttemptCostMeter;
  startedAt: number;
  breaker: CircuitBreaker;
}

interface Failure {
  model: string;
  message: string;
  error?: GatewayError;
  retryAfterMs?: number;
}

/**
 * Calls candidates in order, each behind its own circuit breaker and retried on retryable
 * failures, until one answers; records every attempt in the request's log as it ends.
 */
export class CandidateRunner {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly options: {
      modelNames: Iterable<string>;
      retries: RetriesConfig;
      circuitBreaker: CircuitBreakerConfig;
      priceBook: PriceBook;
      now: () => number;
    },
  ) {
    for (const name of options.modelNames)
      this.breakers.set(name, new CircuitBreaker(options.circuitBreaker));
  }

  /** Each target's circuit, for /ready and metrics. */
  circuitStates(): { model: string; state: CircuitState; retryAfterMs: number }[] {
    return [...this.breakers].map(([model, breaker]) => ({
      model,
      state: breaker.state,
      retryAfterMs: breaker.retryAfterMs,
    }));
  }

  async run<T>(
    candidates: Candidate[],
    log: AttemptLog,
    signal: AbortSignal,
    invoke: (model: ChatModel) => Promise<T>,
  ): Promise<Served<T>> {
    const { retries, now } = this.options;
    const failures: Failure[] = [];
    for (const { model, role } of candidates) {
      const breaker = this.breakers.get(model.name) as CircuitBreaker;
      for (let retry = 0; ; retry += 1) {
        const attemptRole = retry === 0 ? role : 'retry';
        if (!breaker.tryAcquire()) {
          const retryAfterMs = breaker.retryAfterMs;
          log.attempts.push({
            model: model.name,
            role: attemptRole,
            status: 'skipped',
            errorCode: 'circuit_open',
            errorMessage: `circuit open after repeated failures (next probe in ${Math.ceil(retryAfterMs / 1000)} s)`,
            latencyMs: 0,
            costUsd: null,
          });
          failures.push({ model: model.name, message: 'circuit open', retryAfterMs });
          break;
        }
        const startedAt = now();
        const meter = this.options.priceBook.startAttempt(model.name);
        const attempt: Attempt = {
          model: model.name,
          role: attemptRole,
          status: 'ok',
          latencyMs: 0,
          costUsd: null,
        };
        log.attempts.push(attempt);
        try {
          const value = await invoke(model);
          if (isChatResult(value)) {
            attempt.latencyMs = now() - startedAt;
            attempt.usage = value.usage;
            attempt.modelId = value.modelId;
            if (value.confidence) attempt.confidence = value.confidence.meanTokenProbability;
            attempt.costUsd = meter.finish(value.usage, value.modelId);
            breaker.recordSuccess();
          } else {
            // A stream whose first part arrived: the rest of the attempt is recorded as it ends.
            attempt.ttftMs = now() - startedAt;
          }
          return { model, value, attempt, meter, startedAt, breaker };
        } catch (thrown) {
          const error = toGatewayError(thrown, model);
          attempt.latencyMs = now() - startedAt;
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
          const waitStart = now();
          await sleepUnlessAborted(delay, signal);
          log.backoffMs += now() - waitStart;
        }
      }
    }
    throw createFailure(failures);
  }
}

function createFailure(failures: Failure[]): GatewayError {
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

function isChatResult(value: unknown): value is ChatResult {
  return typeof value === 'object' && value !== null && 'finishReason' in value && 'usage' in value;
}
