import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatModel } from '../../../contract/index.js';
import { ClientClosedError, type GatewayError, InternalError } from '../../../errors/index.js';
import type { ChatGateway, ChatInput, ParsedChat } from '../../../gateway/index.js';
import { convertErrorToGatewayError } from '../../convert-error-to-response.js';
import { parseChatCompletionRequest } from '../../wire/index.js';
import { OpenAIChatResponder } from './openai-chat-responder.js';

export const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';

const connectionSignals = new WeakMap<Socket, AbortSignal>();

/**
 * Aborted when the client's connection closes. One per connection, shared by the requests it
 * carries (one at a time under HTTP/1.1): a connection that closes while a request runs is that
 * request's client leaving, and a keep-alive connection pays for its AbortController once.
 */
function readConnectionSignal(socket: Socket): AbortSignal {
  let signal = connectionSignals.get(socket);
  if (!signal) {
    const controller = new AbortController();
    if (socket.destroyed) controller.abort(new ClientClosedError());
    else socket.once('close', () => controller.abort(new ClientClosedError()));
    signal = controller.signal;
    connectionSignals.set(socket, signal);
  }
  return signal;
}

function readHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readRequestedModel(body: unknown): string | null {
  const model = (body as { model?: unknown } | null | undefined)?.model;
  return typeof model === 'string' ? model : null;
}

/**
 * Hands one request of the OpenAI chat API to the gateway: the parsed body (or why it was
 * refused), its metadata, and a responder that speaks OpenAI's wire. Also used for requests
 * refused before the handler ran (body too large, not JSON, unauthenticated), so that every
 * request on this route is recorded, once, by the gateway.
 */
export async function serveChatCompletion(
  gateway: ChatGateway,
  models: ReadonlyMap<string, ChatModel>,
  request: FastifyRequest,
  reply: FastifyReply,
  refused?: GatewayError,
): Promise<void> {
  let parsed: ParsedChat | { refused: GatewayError };
  let includeUsage = false;
  if (refused) parsed = { refused };
  else {
    try {
      const wire = parseChatCompletionRequest(request.body);
      parsed = { model: wire.model, request: wire.request, stream: wire.stream };
      includeUsage = wire.includeUsage;
    } catch (error) {
      parsed = { refused: convertErrorToGatewayError(error) };
    }
  }
  const input: ChatInput = {
    id: request.id,
    api: 'openai',
    receivedAt: Date.now() - reply.elapsedTime,
    receivedAtMonotonic: performance.now() - reply.elapsedTime,
    tenant: readHeader(request.headers['x-switchyard-tenant']) ?? null,
    routeHeader: readHeader(request.headers['x-switchyard-route']),
    requestedModel: readRequestedModel(request.body),
    parsed,
    access: request.access,
    signal: readConnectionSignal(request.raw.socket),
  };
  const responder = new OpenAIChatResponder(reply, {
    includeUsage,
    modelIdOf: (name) => models.get(name)?.modelId ?? name,
  });
  await gateway.handle(input, responder);
}

/** `POST /v1/chat/completions`, JSON or SSE. */
export function registerChatCompletionsRoute(
  app: FastifyInstance,
  dependencies: { gateway: ChatGateway; models: ReadonlyMap<string, ChatModel> },
): void {
  app.post(CHAT_COMPLETIONS_PATH, { config: { recordsItself: true } }, async (request, reply) => {
    try {
      await serveChatCompletion(dependencies.gateway, dependencies.models, request, reply);
    } catch (error) {
      // The gateway answers and records every request itself; reaching here is a bug. It must not
      // reach Fastify's error handler, which would record the request a second time.
      request.log.error({ err: error, requestId: request.id }, 'chat handler failed');
      if (!reply.sent) await reply.code(500).send(new InternalError().toJSON());
    }
    return reply;
  });
}
