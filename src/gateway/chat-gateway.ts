import type { Logger } from 'pino';
import { PriceBook } from '../accounting/index.js';
import { computeConfigHash, type SwitchyardConfig } from '../config/index.js';
import type { ChatModel, ChatRequest, RequestOutcome, RouteDecision } from '../contract/index.js';
import { ClientClosedError, type GatewayError, InternalError, isGatewayError } from '../errors/index.js';
import { ChatExecutor, type CircuitState, RouteResolver, type TaskClassifier } from '../routing/index.js';
import type { RequestLog } from '../storage/index.js';
import type { GatewayMetrics } from '../telemetry/index.js';
import type { ChatInput } from './chat-input.js';
import type { ChatResponder } from './chat-responder.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { RequestTrace, type TraceSettings } from './request-trace.js';

export interface ChatGatewayOptions {
  config: SwitchyardConfig;
  models: ReadonlyMap<string, ChatModel>;
  logger: Logger;
  requestLog?: RequestLog | undefined;
  metrics?: GatewayMetrics | undefined;
  /** Replaces the heuristic task classifier. */
  classifier?: TaskClassifier | undefined;
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
  private readonly settings: TraceSettings;
  private readonly logger: Logger;

  constructor(options: ChatGatewayOptions) {
    const { config, models } = options;
    const now = options.now ?? (() => performance.now());
    this.logger = options.logger;
    this.priceBook = new PriceBook({ models: config.models, baseline: config.routing.baseline });
    this.resolver = new RouteResolver({
      models,
      routing: config.routing,
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
      configHash: computeConfigHash(config),
      now,
    };
  }

  /** Each target's circuit, for /ready and metrics. */
  circuitStates(): { model: string; state: CircuitState; retryAfterMs: number }[] {
    return this.executor.circuitStates();
  }

  /** Serves one request to its end; never throws. Resolves with the outcome it recorded. */
  async handle(input: ChatInput, responder: ChatResponder): Promise<RequestOutcome> {
    const trace = new RequestTrace(input, this.settings);
    let outcome: RequestOutcome;
    try {
      if ('refused' in input.parsed) throw input.parsed.refused;
      const { model, request, stream } = input.parsed;
      trace.begin(request, stream);
      trace.decision = this.resolver.resolve(model, request, { routeHeader: input.routeHeader, stream });
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
    }
    return outcome;
  }

  private async answer(
    trace: RequestTrace,
    decision: RouteDecision,
    request: ChatRequest,
    responder: ChatResponder,
  ): Promise<void> {
    const result = await this.executor.generate(decision, request, trace.input.signal, trace.log);
    trace.noteResponseText(result.text || JSON.stringify(result.toolCalls));
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
