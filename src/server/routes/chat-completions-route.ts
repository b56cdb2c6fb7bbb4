import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StreamPart } from '../../contract/index.js';
import { ClientClosedError } from '../../errors/index.js';
import type { ChatExecutor, ExecutionReport, ModelResolver, ResolvedTarget } from '../../routing/index.js';
import type { ChatRequestRecorder, ChatRequestTrace } from '../chat-request-recorder.js';
import { convertErrorToGatewayError } from '../convert-error-to-response.js';
import {
  ChunkWriter,
  convertToChatCompletion,
  createCompletionId,
  parseChatCompletionRequest,
} from '../wire/index.js';
import { failSseStream, openSseStream, writeSseStream } from './write-sse-stream.js';

export interface ChatCompletionsDependencies {
  resolver: ModelResolver;
  executor: ChatExecutor;
  recorder: ChatRequestRecorder;
}

function readHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Header values must be printable ASCII; reasons can quote client metadata. */
function toHeaderValue(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function formatUsd(value: number | null): string {
  return value === null ? 'unknown' : value.toFixed(9).replace(/0+$/, '').replace(/\.$/, '.0');
}

interface RouteSummary {
  /** The model answering (for a stream: the one that accepted it). */
  model: string;
  reason: string;
  escalated: boolean;
}

function setRouteHeaders(reply: FastifyReply, route: RouteSummary): void {
  reply.header('x-switchyard-model', route.model);
  reply.header('x-switchyard-route', route.model);
  reply.header('x-switchyard-route-reason', toHeaderValue(route.reason));
  reply.header('x-switchyard-escalated', String(route.escalated));
}

function summarizeRoute(target: ResolvedTarget, report: ExecutionReport): RouteSummary {
  return { model: report.servedBy ?? target.model.name, reason: report.reason, escalated: report.escalated };
}

/** A stream's headers go out before its cost (and, after a late fallback, its model) is known. */
const STREAM_TRAILERS = ['x-switchyard-model', 'x-switchyard-cost-usd', 'x-switchyard-baseline-cost-usd'];

/** Collects the streamed answer's text for content logging while passing every part on. */
async function* collectText(
  parts: AsyncIterator<StreamPart>,
  trace: ChatRequestTrace,
): AsyncGenerator<StreamPart> {
  trace.responseText = '';
  try {
    for (;;) {
      const next = await parts.next();
      if (next.done) return;
      if (next.value.type === 'text-delta') trace.responseText += next.value.delta;
      yield next.value;
    }
  } finally {
    await parts.return?.();
  }
}

/**
 * `POST /v1/chat/completions`, JSON or SSE. Every request that reaches the handler is recorded
 * once (log row, metrics, log line), whichever way it ends. A client that disconnects aborts the
 * model call.
 */
export function registerChatCompletionsRoute(
  app: FastifyInstance,
  dependencies: ChatCompletionsDependencies,
): void {
  const { resolver, executor, recorder } = dependencies;
  app.post('/v1/chat/completions', async (request, reply) => {
    const trace: ChatRequestTrace = {
      id: request.id,
      startedAt: Date.now(),
      startedAtMonotonic: performance.now() - reply.elapsedTime,
      tenant: readHeader(request.headers['x-switchyard-tenant']) ?? null,
      requestedModel: null,
      stream: false,
    };
    const finish = (status: number, error?: { code: string; message: string }) => {
      request.chatRecorded = true;
      recorder.record(trace, error ? { status, error } : { status }, request.log);
    };
    // Set once a stream's 200 and headers are out; errors after that go into the stream.
    let opened: Promise<void> | undefined;
    try {
      const body = request.body as Record<string, unknown> | undefined;
      if (body && typeof body.model === 'string') trace.requestedModel = body.model;
      const parsed = parseChatCompletionRequest(request.body);
      trace.stream = parsed.stream;
      trace.request = parsed.request;
      trace.tenant ??= parsed.request.metadata?.tenant ?? null;
      const target = resolver.resolve(
        parsed.model,
        parsed.request,
        readHeader(request.headers['x-switchyard-route']),
      );
      trace.target = target;
      const controller = new AbortController();
      const cancellation = controller.signal;
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new ClientClosedError());
      });
      const created = Math.floor(Date.now() / 1000);
      const id = createCompletionId();

      if (!parsed.stream) {
        const outcome = await executor.generate(target, parsed.request, cancellation);
        trace.report = outcome.report;
        if (!outcome.ok) throw outcome.error;
        setRouteHeaders(reply, summarizeRoute(target, outcome.report));
        const { costUsd, baselineCostUsd } = recorder.summarizeCost(outcome.report);
        reply.header('x-switchyard-cost-usd', formatUsd(costUsd));
        reply.header('x-switchyard-baseline-cost-usd', formatUsd(baselineCostUsd));
        trace.responseText = outcome.result.text || JSON.stringify(outcome.result.toolCalls);
        finish(200);
        return convertToChatCompletion(outcome.result, { id, created });
      }

      const writer = new ChunkWriter({
        id,
        created,
        model: target.model.modelId,
        includeUsage: parsed.includeUsage,
      });
      // The stream is committed (200, headers, role chunk) as soon as an upstream accepts it, not at
      // its first token; a target failing before its first token is still replaced by a fallback
      // whose tokens follow in the same stream.
      const open = (route: RouteSummary): Promise<void> => {
        setRouteHeaders(reply, route);
        reply.hijack();
        opened = openSseStream({
          response: reply.raw,
          headers: Object.fromEntries(
            Object.entries(reply.getHeaders()).map(([key, value]) => [key, String(value)]),
          ),
          trailerNames: STREAM_TRAILERS,
          writer,
        });
        return opened;
      };
      const trailers = (report: ExecutionReport) => {
        const { costUsd, baselineCostUsd } = recorder.summarizeCost(report);
        return {
          'x-switchyard-model': report.servedBy ?? target.model.name,
          'x-switchyard-cost-usd': formatUsd(costUsd),
          'x-switchyard-baseline-cost-usd': formatUsd(baselineCostUsd),
        };
      };
      const outcome = await executor.stream(target, parsed.request, cancellation, {
        onAccepted: ({ model, reason }) => void open({ model, reason, escalated: false }),
      });
      trace.report = outcome.report;
      if (!outcome.ok) {
        if (!opened) throw outcome.error;
        // Accepted, then every target failed before answering: the 200 is already out.
        await opened;
        await failSseStream(reply.raw, outcome.error, trailers(outcome.report));
        if (cancellation.aborted || reply.raw.destroyed) finish(499);
        else finish(200, { code: outcome.error.code, message: outcome.error.message });
        return reply;
      }
      const iterator = collectText(outcome.parts[Symbol.asyncIterator](), trace);
      const first = await iterator.next();
      await (opened ?? open(summarizeRoute(target, outcome.report)));
      const written = await writeSseStream({
        response: reply.raw,
        first: first.value as StreamPart,
        rest: iterator,
        writer,
        includeUsage: parsed.includeUsage,
        onFirstPart: () => {
          trace.firstByteAtMonotonic = performance.now();
        },
        trailers: () => trailers(outcome.report),
        convertError: (error) => {
          request.log.error({ err: error, requestId: request.id }, 'stream failed');
          return convertErrorToGatewayError(error);
        },
      });
      if (written.completed) finish(200);
      else if (cancellation.aborted || reply.raw.destroyed) finish(499);
      else {
        // Bytes already went out with a 200; the row says how the stream really ended.
        const attempt = outcome.report.attempts.at(-1);
        finish(200, {
          code: attempt?.errorCode ?? 'stream_interrupted',
          message: attempt?.errorMessage ?? 'The stream ended before the answer was complete.',
        });
      }
      return reply;
    } catch (error) {
      const gatewayError = convertErrorToGatewayError(error);
      if (opened) {
        await opened;
        await failSseStream(reply.raw, gatewayError);
        if (!request.chatRecorded) {
          if (reply.raw.destroyed) finish(499);
          else finish(200, gatewayError);
        }
        return reply;
      }
      if (!request.chatRecorded) finish(gatewayError.status, gatewayError);
      throw error;
    }
  });
}
