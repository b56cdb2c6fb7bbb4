import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** What the fake sends back for one request. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body (non-streaming answer or error). */
  json?: unknown;
  /** A body sent byte for byte (a recorded payload), as text/event-stream unless headers say otherwise. */
  raw?: string;
  /** Raw SSE `data:` payloads, sent in order; include '[DONE]' yourself. */
  sse?: string[];
  /** Pause before answering, and between SSE events. */
  delayMs?: number;
  /** Close the socket without answering. */
  destroy?: boolean;
  /** With `sse`: wait for this before sending the events after the first. */
  holdAfterFirstEvent?: Promise<unknown>;
  /** With `sse`: reset the connection after the events instead of ending the response. */
  destroyAfterSse?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Json;
  /** performance.now() when the request arrived (to check ordering and waits). */
  receivedAt: number;
}

const WORDS = ['Hello', ' from', ' the', ' fake', ' upstream', '.'];

function toolCallFor(body: Json): { name: string; arguments: string } | undefined {
  const tools = body.tools as { function: { name: string } }[] | undefined;
  const messages = body.messages as { role: string }[];
  if (!tools?.length || body.tool_choice === 'none' || messages.at(-1)?.role === 'tool') return undefined;
  return { name: tools[0]?.function.name ?? 'tool', arguments: '{"city":"Paris"}' };
}

function contentFor(body: Json): string[] {
  const format = body.response_format as { type: string } | undefined;
  if (format?.type === 'json_schema' || format?.type === 'json_object')
    return ['{"answer":', '"42",', '"confidence":0.9}'];
  if ((body.messages as { role: string }[]).at(-1)?.role === 'tool') return ['It is sunny in Paris.'];
  const limit = (body.max_tokens ?? body.max_completion_tokens) as number | undefined;
  return limit === undefined ? WORDS : WORDS.slice(0, limit);
}

function usageFor(body: Json, outputTokens: number): Json {
  const input = JSON.stringify(body.messages).length;
  return {
    prompt_tokens: input,
    completion_tokens: outputTokens,
    total_tokens: input + outputTokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

/** A plausible OpenAI answer to `body`: text, a tool call, or JSON, streamed or not. */
export function createDefaultOpenAIReply(body: Json): FakeReply {
  const model = `${String(body.model)}-2024-07-18`;
  const call = toolCallFor(body);
  const parts = call ? [] : contentFor(body);
  const limited =
    !call && body.max_tokens !== undefined && parts.length < WORDS.length && !body.response_format;
  const finish = call ? 'tool_calls' : limited ? 'length' : 'stop';
  const usage = usageFor(body, call ? 12 : parts.length);
  const id = 'chatcmpl-fake';
  if (!body.stream) {
    const message: Json = { role: 'assistant', content: call ? null : parts.join('') };
    if (call) message.tool_calls = [{ id: 'call_fake1', type: 'function', function: call }];
    return {
      json: {
        id,
        object: 'chat.completion',
        created: 1,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage,
      },
    };
  }
  const chunk = (delta: Json, finishReason: string | null = null) =>
    JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: 1,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    });
  const events = [chunk({ role: 'assistant', content: '' })];
  if (call) {
    events.push(
      chunk({
        tool_calls: [
          { index: 0, id: 'call_fake1', type: 'function', function: { name: call.name, arguments: '' } },
        ],
      }),
    );
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: call.arguments } }] }));
  }
  for (const part of parts) events.push(chunk({ content: part }));
  events.push(chunk({}, finish));
  const includeUsage = (body.stream_options as Json | undefined)?.include_usage === true;
  if (includeUsage)
    events.push(
      JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model, choices: [], usage }),
    );
  events.push('[DONE]');
  return { sse: events };
}

/**
 * A real HTTP server on 127.0.0.1 that speaks enough of OpenAI's API for tests. It records every
 * request; `replyWith` scripts the next answers (then it falls back to the default reply).
 */
export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly scripted: ((body: Json) => FakeReply)[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();
  /** TCP connections accepted so far (a pooled client reuses them). */
  connectionsAccepted = 0;
  url = '';

  private constructor(private readonly createDefault: (body: Json) => FakeReply) {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.connectionsAccepted++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(
    createDefault: (body: Json) => FakeReply = createDefaultOpenAIReply,
  ): Promise<FakeUpstream> {
    const upstream = new FakeUpstream(createDefault);
    upstream.server.listen(0, '127.0.0.1');
    await once(upstream.server, 'listening');
    upstream.url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
    return upstream;
  }

  /** The next request(s) get these replies, in order. */
  replyWith(...replies: (FakeReply | ((body: Json) => FakeReply))[]): void {
    for (const reply of replies) this.scripted.push(typeof reply === 'function' ? reply : () => reply);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = (text ? JSON.parse(text) : {}) as Json;
    this.requests.push({
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body,
      receivedAt,
    });
    const reply = (this.scripted.shift() ?? this.createDefault)(body);
    if (reply.delayMs) await sleep(reply.delayMs);
    if (reply.destroy) {
      request.socket.destroy();
      return;
    }
    if (reply.raw !== undefined) {
      response.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', ...reply.headers });
      response.end(reply.raw);
      return;
    }
    if (reply.sse) {
      response.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', ...reply.headers });
      for (const [index, data] of reply.sse.entries()) {
        if (response.destroyed) return;
        // Wait until the event reached the socket, so a reset after it cannot swallow it.
        await new Promise<void>((resolve) => response.write(`data: ${data}\n\n`, () => resolve()));
        if (index === 0 && reply.holdAfterFirstEvent) await reply.holdAfterFirstEvent;
        if (reply.delayMs) await sleep(reply.delayMs);
      }
      if (reply.destroyAfterSse) request.socket.destroy();
      else response.end();
      return;
    }
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    response.end(JSON.stringify(reply.json ?? {}));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A non-streamed OpenAI answer with chosen content, tool calls, token probabilities and usage. */
export function createOpenAIAnswer(options: {
  content?: string | null;
  toolCalls?: { name: string; arguments: string }[];
  /** Probability of each generated token (sent as `logprobs.content`). */
  tokenProbabilities?: number[];
  usage?: { prompt: number; completion: number; cached?: number; reasoning?: number };
  model?: string;
}): FakeReply {
  const message: Json = { role: 'assistant', content: options.content ?? null };
  if (options.toolCalls?.length) {
    message.tool_calls = options.toolCalls.map((call, index) => ({
      id: `call_${index}`,
      type: 'function',
      function: call,
    }));
  }
  const usage = options.usage ?? { prompt: 10, completion: 5 };
  return {
    json: {
      id: 'chatcmpl-scripted',
      object: 'chat.completion',
      created: 1,
      model: options.model ?? 'scripted-model',
      choices: [
        {
          index: 0,
          message,
          logprobs: options.tokenProbabilities
            ? {
                content: options.tokenProbabilities.map((probability, index) => ({
                  token: `t${index}`,
                  logprob: Math.log(probability),
                  top_logprobs: [],
                })),
              }
            : null,
          finish_reason: options.toolCalls?.length ? 'tool_calls' : 'stop',
        },
      ],
      usage: {
        prompt_tokens: usage.prompt,
        completion_tokens: usage.completion,
        total_tokens: usage.prompt + usage.completion,
        prompt_tokens_details: { cached_tokens: usage.cached ?? 0 },
        completion_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
      },
    },
  };
}
