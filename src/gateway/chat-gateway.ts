import type { Logger } from 'pino';
import { PriceBook } from '../accounting/index.js';
import { computeConfigHash, type SwitchyardConfig } from '../config/index.js';
import type { ChatModel, ChatRequest, RequestOutcome, RouteDecision } from '../contract/index.js';
import { ClientClosedError, type GatewayError, InternalError, isGatewayError } from '../errors/index.js';
import { ChatExecutor, type CircuitState, RouteResolver, type TaskClassifier } from '../routing/index.js';
import type { EvidenceStore, FeedbackStore, RequestLog } from '../storage/index.js';
import type { GatewayMetrics } from '../telemetry/index.js';
import type { Access, AccessControl } from './access/access-control.js';
import type { ChatInput } from './chat-input.js';
import type { ChatResponder } from './chat-responder.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { RequestTrace, type TraceSettings } from './request-trace.js';
import { RolloutManager } from './rollout/rollout-manager.js';
import { type ShadowPick, ShadowRunner } from './shadow/shadow-runner.js';

export interface ChatGatewayOptions {
  config: SwitchyardConfig;
  models: ReadonlyMap<string, ChatModel>;
  logger: Logger;
  requestLog?: RequestLog | undefined;
  metrics?: GatewayMetrics | undefined;
  /** Replaces the heuristic task classifier. */
  classifier?: TaskClassifier | undefined;
  /** The prices of the configured models, when shared with other parts (one is made otherwise). */
  priceBook?: PriceBook | undefined;
  /** Where shadow pairs and rollout state are kept (the request log's database). */
  evidence?: EvidenceStore | undefined;
  /** Feedback on answers, which rollout controllers may weigh. */
  feedback?: FeedbackStore | undefined;
  /** Keys, budgets and rate limits, when `auth.mode` is `keys`. */
  access?: AccessControl | undefined;
  now?: () => number;
}

/**
 * The one owner of a chat request's lifecycle: resolve its route, run it, answer through the
 * inbound API's responder, and record its outcome (request log, metrics, log line) exactly once,
 * in the `finally` that every path through `handle` leaves by.
 */
export class ChatGateway {
  readonly resolver: RouteResolver;
  readonly priceBook: PriceBook;
  private readonly executor: ChatExecutor;
  private readonly recorder: OutcomeRecorder;
  private settings: TraceSettings;
  private readonly config: SwitchyardConfig;
  private readonly classifier: TaskClassifier | undefined;
  private settingsModelHash: string | undefined;
  private readonly logger: Logger;
  private readonly access: AccessControl | undefined;
  private readonly overBudget: string | undefined;
  private readonly settling = new Set<Promise<void>>();
  private readonly shadow: ShadowRunner | undefined;
  /** Gradual rollouts' shared shares, when any are configured. */
  readonly rollouts: RolloutManager | undefined;

  constructor(options: ChatGatewayOptions) {
    const { config, models } = options;
    const now = options.now ?? (() => performance.now());
    this.config = config;
    this.classifier = options.classifier;
    this.settingsModelHash = options.classifier?.modelHash;
    this.logger = options.logger;
    this.access = options.access;
    this.overBudget = config.routing.overBudget;
    this.priceBook =
      options.priceBook ?? new PriceBook({ models: config.models, baseline: config.routing.baseline });
    this.shadow =
      config.routing.shadow.length > 0
        ? new ShadowRunner({
            entries: config.routing.shadow,
            models,
            priceBook: this.priceBook,
            escalation: config.routing.escalation,
            content: config.storage.content,
            logger: options.logger,
            evidence: options.evidence,
            requestLog: options.requestLog,
            metrics: options.metrics,
          })
        : undefined;
    this.rollouts =
      config.routing.rollout.length > 0
        ? new RolloutManager({
            rollouts: config.routing.rollout,
            evidence: options.evidence,
            feedback: options.feedback,
            logger: options.logger,
            metrics: options.metrics,
          })
        : undefined;
    this.rollouts?.start().catch((error: unknown) => {
      options.logger.error({ err: error }, 'rollouts could not be loaded; their configured shares apply');
    });
    this.resolver = new RouteResolver({
      models,
      routing: config.routing,
      shares: this.rollouts,
      ...(options.classifier ? { classifier: options.classifier } : {}),
    });
    this.executor = new ChatExecutor({ models, routing: config.routing, priceBook: this.priceBook, now });
    this.recorder = new OutcomeRecorder({
      requestLog: options.requestLog,
      metrics: options.metrics,
      logger: options.logger,
      logContent: config.storage.content === 'full',
    });
    this.settings = {
      priceBook: this.priceBook,
      content: config.storage.content,
      configHash: computeConfigHash(config, options.classifier?.modelHash),
      now,
    };
  }

  /**
   * The trace settings, their config hash refreshed when the router's model files were reloaded:
   * a new object, so requests already running keep the hash they started with.
   */
  private readSettings(): TraceSettings {
    const modelHash = this.classifier?.modelHash;
    if (modelHash !== this.settingsModelHash) {
      this.settingsModelHash = modelHash;
      this.settings = { ...this.settings, configHash: computeConfigHash(this.config, modelHash) };
    }
    return this.settings;
  }

  /** Each target's circuit, for /ready and metrics. */
  circuitStates(): { model: string; state: CircuitState; retryAfterMs: number }[] {
    return this.executor.circuitStates();
  }

  /** Serves one request to its end; never throws. Resolves with the outcome it recorded. */
  async handle(input: ChatInput, responder: ChatResponder): Promise<RequestOutcome> {
    const trace = new RequestTrace(input, this.readSettings());
    let outcome: RequestOutcome;
    let shadowPick: ShadowPick | undefined;
    let shadowRequest: ChatRequest | undefined;
    try {
      if ('refused' in input.parsed) throw input.parsed.refused;
      const { model, stream } = input.parsed;
      let { request } = input.parsed;
      trace.begin(request, stream, input.access);
      trace.decision = this.resolver.resolve(model, request, {
        routeHeader: input.routeHeader,
        stream,
        sticky: { user: request.user, tenant: trace.tenant ?? undefined, requestId: input.id },
      });
      if (input.access) request = await this.guard(trace, input.access, request, responder);
      shadowPick = this.shadow?.pick(trace.decision);
      if (shadowPick) {
        trace.keepAnswer();
        shadowRequest = request;
      }
      if (stream) await this.stream(trace, trace.decision, request, responder);
      else await this.answer(trace, trace.decision, request, responder);
      trace.succeed();
    } catch (thrown) {
      const error = isGatewayError(thrown) ? thrown : new InternalError({ cause: thrown });
      if (error instanceof InternalError)
        this.logger.error({ err: thrown, requestId: input.id }, 'request failed');
      trace.fail(error, responder.opened);
      await this.deliverError(trace, responder, error);
    } finally {
      // The outcome is built and recorded here, once, whichever way the request went.
      outcome = trace.finish();
      this.recorder.record(outcome);
      // After the answer, never delaying it: the reservation becomes what the request spent.
      if (trace.admission && this.access) this.track(this.access.settle(trace.admission, outcome));
      if (shadowPick && shadowRequest && trace.answer)
        this.shadow?.start(shadowPick, outcome, shadowRequest, trace.answer);
    }
    return outcome;
  }

  /** Waits for settlements still under way (on shutdown). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.settling, this.shadow?.close(), this.rollouts?.close()]);
  }

  /**
   * The keyed request's guards, before any model is called: the models its key may use, then its
   * budgets and rate limits (reserved). A spent budget is served by the over-budget local model
   * when one is configured. Returns the request as it will run.
   */
  private async guard(
    trace: RequestTrace,
    access: Access,
    request: ChatRequest,
    responder: ChatResponder,
  ): Promise<ChatRequest> {
    const control = this.access;
    if (!control)
      throw new InternalError({ cause: new Error('a keyed request reached a gateway without keys') });
    let decision = control.restrictModels(access, trace.decision as RouteDecision);
    let runRequest = control.boundRequest(access, request);
    let admitted = await control.admit(access, decision, runRequest, trace.input.id);
    if ('error' in admitted && admitted.budgetScope !== undefined && this.overBudget) {
      const local = this.overBudget;
      decision = {
        ...this.resolver.resolve(local, request, { stream: trace.stream }),
        reason: { kind: 'over-budget', from: decision.target, to: local, scope: admitted.budgetScope },
        rule: 'over-budget',
        candidates: [local],
      };
      delete decision.escalation;
      runRequest = request;
      admitted = await control.admit(access, decision, request, trace.input.id, { budgets: false });
    }
    responder.addHeaders(admitted.headers);
    if ('error' in admitted) throw admitted.error;
    trace.decision = decision;
    trace.admission = admitted;
    return runRequest;
  }

  private track(settling: Promise<void>): void {
    this.settling.add(settling);
    void settling.finally(() => this.settling.delete(settling));
  }

  private async answer(
    trace: RequestTrace,
    decision: RouteDecision,
    request: ChatRequest,
    responder: ChatResponder,
  ): Promise<void> {
    const result = await this.executor.generate(decision, request, trace.input.signal, trace.log);
    trace.noteResult(result);
    await responder.sendResult(result, trace.summarize());
  }

  /**
   * The stream is committed (status, headers, opening) as soon as an upstream accepts it, so the
   * client's first byte does not wait for the model's first token; a candidate failing before its
   * first token is still replaced by the next, whose tokens follow in the same stream.
   */
  private async stream(
    trace: RequestTrace,
    decision: RouteDecision,
    request: ChatRequest,
    responder: ChatResponder,
  ): Promise<void> {
    const { signal } = trace.input;
    let opening: Promise<void> | undefined;
    const parts = await this.executor
      .stream(decision, request, signal, trace.log, {
        onAccepted: (model) => {
          opening = responder.openStream(trace.describeRoute(model));
        },
      })
      .catch(async (error: unknown) => {
        // Accepted, then every candidate failed before answering: the error goes into the stream.
        await opening;
        throw error;
      });
    await (opening ?? responder.openStream(trace.describeRoute(trace.log.servedBy ?? decision.target)));
    for await (const part of parts) {
      if (signal.aborted) break;
      if (part.type === 'error') throw part.error;
      trace.notePart(part);
      await responder.writePart(part);
    }
    if (signal.aborted) throw new ClientClosedError();
    await responder.endStream(trace.summarize());
  }

  private async deliverError(
    trace: RequestTrace,
    responder: ChatResponder,
    error: GatewayError,
  ): Promise<void> {
    try {
      if (responder.opened) await responder.endStream(trace.summarize(), error);
      else {
        const decision = trace.decision;
        await responder.sendError(
          error,
          decision ? trace.describeRoute(trace.log.servedBy ?? decision.target) : undefined,
        );
      }
    } catch (failure) {
      this.logger.error({ err: failure, requestId: trace.input.id }, 'could not deliver an error response');
    }
  }
}
