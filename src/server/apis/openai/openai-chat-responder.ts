import type { FastifyReply } from 'fastify';
import type { ChatResult, StreamPart } from '../../../contract/index.js';
import { type GatewayError, StreamWriteTimeoutError } from '../../../errors/index.js';
import type { AnswerSummary, ChatResponder, RouteHeaders } from '../../../gateway/index.js';
import { ChunkWriter, convertToChatCompletion, createCompletionId } from '../../wire/index.js';
import { convertRouteToHeaders, formatUsd, toHeaderValue } from './route-header-values.js';
import { writeSseEvent } from './write-sse-event.js';

/**
 * A stream's head goes out before its cost is known, and before a late fallback could change the
 * model answering: these arrive as HTTP trailers, with the final route.
 */
const STREAM_TRAILERS = [
  'x-switchyard-model',
  'x-switchyard-route-reason',
  'x-switchyard-cost-usd',
  'x-switchyard-baseline-cost-usd',
];

/** OpenAI's wire for one chat completion: a `chat.completion` JSON body, or SSE chunks. */
export class OpenAIChatResponder implements ChatResponder {
  opened = false;
  private readonly id = createCompletionId();
  private readonly created = Math.floor(Date.now() / 1000);
  private writer: ChunkWriter | undefined;
  private readonly stall: { timeoutMs: number; onStall(): void };

  constructor(
    private readonly reply: FastifyReply,
    private readonly options: {
      /** `stream_options.include_usage`: send a final usage chunk. */
      includeUsage: boolean;
      /** The upstream model id of a configured model (chunks name it until the answer says). */
      modelIdOf(name: string): string;
      /** How long a stream waits for a client that reads nothing (`server.streamWriteTimeoutMs`). */
      streamWriteTimeoutMs: number;
      /** Ends the client's connection, cancelling the request with `reason`. */
      endConnection(reason: GatewayError): void;
    },
  ) {
    this.stall = {
      timeoutMs: options.streamWriteTimeoutMs,
      onStall: () =>
        options.endConnection(new StreamWriteTimeoutError({ timeoutMs: options.streamWriteTimeoutMs })),
    };
  }

  addHeaders(headers: Record<string, string>): void {
    this.reply.headers(headers);
  }

  async sendResult(result: ChatResult, summary: AnswerSummary): Promise<void> {
    this.reply.headers(convertRouteToHeaders(summary));
    this.reply.header('x-switchyard-cost-usd', formatUsd(summary.costUsd));
    this.reply.header('x-switchyard-baseline-cost-usd', formatUsd(summary.baselineCostUsd));
    await this.reply.send(convertToChatCompletion(result, { id: this.id, created: this.created }));
  }

  async openStream(route: RouteHeaders): Promise<void> {
    this.opened = true;
    const { reply } = this;
    reply.headers(convertRouteToHeaders(route));
    reply.hijack();
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(reply.getHeaders())) headers[key] = String(value);
    reply.raw.writeHead(200, {
      ...headers,
      trailer: STREAM_TRAILERS.join(', '),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    this.writer = new ChunkWriter({
      id: this.id,
      created: this.created,
      model: this.options.modelIdOf(route.model),
      includeUsage: this.options.includeUsage,
    });
    await this.write(this.writer.delta({ role: 'assistant', content: '', refusal: null }));
  }

  async writePart(part: StreamPart): Promise<void> {
    const writer = this.writer as ChunkWriter;
    switch (part.type) {
      case 'text-delta':
        await this.write(
          writer.delta({ content: part.delta }, part.logprobs ? { logprobs: part.logprobs } : {}),
        );
        return;
      case 'tool-call-delta': {
        const call: Record<string, unknown> = { index: part.index };
        if (part.id !== undefined) call.id = part.id;
        if (part.id !== undefined || part.name !== undefined) call.type = 'function';
        call.function =
          part.name !== undefined
            ? { name: part.name, arguments: part.argumentsDelta }
            : { arguments: part.argumentsDelta };
        await this.write(writer.delta({ tool_calls: [call] }));
        return;
      }
      case 'finish':
        writer.model = part.modelId;
        await this.write(writer.finish(part.finishReason));
        if (this.options.includeUsage) await this.write(writer.usage(part.usage));
        await writeSseEvent(this.reply.raw, '[DONE]', this.stall);
        return;
      case 'error':
        throw part.error;
    }
  }

  async endStream(summary: AnswerSummary, error?: GatewayError): Promise<void> {
    const response = this.reply.raw;
    if (error) await writeSseEvent(response, JSON.stringify(error.toJSON()), this.stall);
    if (!response.destroyed) {
      response.addTrailers({
        'x-switchyard-model': summary.model,
        'x-switchyard-route-reason': toHeaderValue(summary.reasonText),
        'x-switchyard-cost-usd': formatUsd(summary.costUsd),
        'x-switchyard-baseline-cost-usd': formatUsd(summary.baselineCostUsd),
      });
    }
    response.end();
  }

  async sendError(error: GatewayError, route?: RouteHeaders): Promise<void> {
    if (route) this.reply.headers(convertRouteToHeaders(route));
    if (error.retryAfterSeconds !== undefined)
      this.reply.header('retry-after', String(error.retryAfterSeconds));
    await this.reply.code(error.status).send(error.toJSON());
  }

  private write(chunk: unknown): Promise<void> {
    return writeSseEvent(this.reply.raw, JSON.stringify(chunk), this.stall);
  }
}
