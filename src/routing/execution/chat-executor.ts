import type { PriceBook } from '../../accounting/index.js';
import type { EscalationConfig, RoutingConfig } from '../../config/index.js';
import type {
  ChatModel,
  ChatRequest,
  ChatResult,
  EscalationPlan,
  RouteDecision,
  StreamPart,
} from '../../contract/index.js';
import { ClientClosedError } from '../../errors/index.js';
import { checkAnswer, type FailedCheck } from '../escalation/check-answer.js';
import type { AttemptLog } from './attempt-log.js';
import { type Candidate, CandidateRunner, type Served } from './candidate-runner.js';
import type { CircuitState } from './circuit-breaker.js';
import { convertResultToStreamParts } from './convert-result-to-stream-parts.js';
import { followStream, type OpenStream, openStream } from './follow-stream.js';

/** Hooks a streaming caller may want before the first part. */
export interface StreamHooks {
  /**
   * An upstream accepted the request and is generating (`model` is the candidate that did). Called
   * at most once, before the first part; a candidate failing after it is still replaced by the next.
   */
  onAccepted?(model: string): void;
}

/**
 * Runs a routing decision: its candidates in order (each with retries, behind its circuit
 * breaker) until one answers; then, for an answer of the escalation's `from` model, the answer
 * check and maybe a re-run on the escalation candidates. Everything that happens is written to
 * the request's AttemptLog. Residency was applied to the candidates by the decision.
 */
export class ChatExecutor {
  private readonly models: ReadonlyMap<string, ChatModel>;
  private readonly escalation: EscalationConfig | undefined;
  private readonly runner: CandidateRunner;
  private readonly now: () => number;

  constructor(options: {
    models: ReadonlyMap<string, ChatModel>;
    routing: RoutingConfig;
    priceBook: PriceBook;
    now?: () => number;
  }) {
    this.models = options.models;
    this.escalation = options.routing.escalation;
    this.now = options.now ?? (() => performance.now());
    this.runner = new CandidateRunner({
      modelNames: options.models.keys(),
      retries: options.routing.retries,
      circuitBreaker: options.routing.circuitBreaker,
      priceBook: options.priceBook,
      now: this.now,
    });
  }

  /** Each target's circuit, for /ready and metrics. */
  circuitStates(): { model: string; state: CircuitState; retryAfterMs: number }[] {
    return this.runner.circuitStates();
  }

  /** A whole answer; throws a GatewayError when no candidate could answer. */
  async generate(
    decision: RouteDecision,
    request: ChatRequest,
    signal: AbortSignal,
    log: AttemptLog,
  ): Promise<ChatResult> {
    const plan = decision.escalation;
    const served = await this.runner.run(this.listCandidates(decision), log, signal, (model) =>
      model.doGenerate(this.prepareRequest(model, request, plan), signal),
    );
    log.servedBy = served.model.name;
    log.usage = served.value.usage;
    const check = plan && served.model.name === plan.from ? this.check(served.value, request) : undefined;
    if (!plan || !check) return served.value;
    const escalated = await this.escalate(plan, check, log, signal, (model) =>
      model.doGenerate(request, signal),
    );
    if (!escalated) return served.value;
    log.usage = escalated.value.usage;
    return escalated.value;
  }

  /**
   * A streamed answer, returned once its first part arrived (until then a failing candidate is
   * replaced by the next). A target whose answer is checked is buffered: generated whole, checked,
   * then replayed or replaced by the escalation's stream.
   */
  async stream(
    decision: RouteDecision,
    request: ChatRequest,
    signal: AbortSignal,
    log: AttemptLog,
    hooks: StreamHooks = {},
  ): Promise<AsyncIterable<StreamPart>> {
    const plan = decision.escalation;
    const follow = (served: Served<OpenStream>) => {
      log.servedBy = served.model.name;
      return followStream(served, request, log, signal, this.now);
    };
    if (plan && decision.target === plan.from) {
      const served = await this.runner.run(this.listCandidates(decision), log, signal, (model) =>
        model.doGenerate(this.prepareRequest(model, request, plan), signal),
      );
      log.servedBy = served.model.name;
      log.usage = served.value.usage;
      const check = served.model.name === plan.from ? this.check(served.value, request) : undefined;
      if (check) {
        const escalated = await this.escalate(plan, check, log, signal, (model) =>
          openStream(model, request, signal),
        );
        if (escalated) return follow(escalated);
      }
      return replay(convertResultToStreamParts(served.value));
    }
    let accepted = false;
    const served = await this.runner.run(this.listCandidates(decision), log, signal, (model) =>
      openStream(model, request, signal, {
        onAccepted: () => {
          if (accepted) return;
          accepted = true;
          hooks.onAccepted?.(model.name);
        },
      }),
    );
    return follow(served);
  }

  private listCandidates(decision: RouteDecision): Candidate[] {
    return decision.candidates.map((name, index) => ({
      model: this.getModel(name),
      role: index === 0 ? 'primary' : 'fallback',
    }));
  }

  private check(result: ChatResult, request: ChatRequest): FailedCheck | undefined {
    return this.escalation ? checkAnswer(result, request, this.escalation) : undefined;
  }

  /** The small model is asked for token probabilities when its confidence will be judged. */
  private prepareRequest(
    model: ChatModel,
    request: ChatRequest,
    plan: EscalationPlan | undefined,
  ): ChatRequest {
    if (this.escalation?.minConfidence === undefined || model.name !== plan?.from) return request;
    return { ...request, confidenceRequested: true };
  }

  /**
   * Re-runs a request whose small-model answer failed its check. Returns the escalation
   * candidate's answer, or undefined when the small model's answer must stand (residency keeps
   * the target out, it already failed on this request, or every escalation candidate failed).
   */
  private async escalate<T>(
    plan: EscalationPlan,
    check: FailedCheck,
    log: AttemptLog,
    signal: AbortSignal,
    invoke: (model: ChatModel) => Promise<T>,
  ): Promise<Served<T> | undefined> {
    log.escalation = {
      from: plan.from,
      to: plan.target,
      why: check.reason,
      detail: check.detail,
      escalated: false,
    };
    if (plan.blockedBy === 'residency') {
      log.escalationDeclined = 'residency';
      return undefined;
    }
    const failedEarlier = log.listFailedModels();
    const candidates: Candidate[] = plan.to
      .filter((name) => !failedEarlier.has(name))
      .map((name) => ({ model: this.getModel(name), role: 'escalation' }));
    if (candidates.length === 0) {
      log.escalationDeclined = 'target-failed-earlier';
      return undefined;
    }
    try {
      const served = await this.runner.run(candidates, log, signal, invoke);
      log.escalation.escalated = true;
      log.servedBy = served.model.name;
      return served;
    } catch (error) {
      if (error instanceof ClientClosedError) throw error;
      log.escalationDeclined = 'escalation-failed';
      return undefined;
    }
  }

  private getModel(name: string): ChatModel {
    const model = this.models.get(name);
    // The decision names only configured models; a miss here is a programming error.
    if (!model) throw new Error(`routing refers to unknown model '${name}'`);
    return model;
  }
}

async function* replay(parts: StreamPart[]): AsyncGenerator<StreamPart> {
  yield* parts;
}
