import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatModel } from '../../../contract/index.js';
import { ClientClosedError, type GatewayError, InternalError } from '../../../errors/index.js';
import type { ChatGateway, ChatInput, ParsedChat } from '../../../gateway/index.js';
import { convertErrorToGatewayError } from '../../convert-error-to-response.js';
import { parseChatCompletionRequest } from '../../wire/index.js';
import { OpenAIChatResponder } from './openai-chat-responder.js';

export const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';

const connections = new WeakMap<Socket, AbortController>();

/**
 * Aborted when the client's connection closes. One per connection, shared by the requests it
 * carries (one at a time under HTTP/1.1): a connection that closes while a request runs is that
 * request's client leaving, and a keep-alive connection pays for its AbortController once.
 */
function readConnectionController(socket: Socket): AbortController {
  let controller = connections.get(socket);
  if (!controller) {
    const created = new AbortController();
    if (socket.destroyed) created.abort(new ClientClosedError());
    else socket.once('close', () => created.abort(new ClientClosedError()));
    controller = created;
    connections.set(socket, controller);
  }
  return controller;
}

/** Closes a client's connection on the gateway's side; its request is cancelled with `reason`. */
function endConnection(socket: Socket, reason: GatewayError): void {
  readConnectionController(socket).abort(reason);
  socket.destroy();
}

function readHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readRequestedModel(body: unknown): string | null {
  const model = (body as { model?: unknown } | null | undefined)?.model;
  return typeof model === 'string' ? model : null;
}

/** What the chat route serves with. */
export interface ChatRouteDependencies {
  gateway: ChatGateway;
  models: ReadonlyMap<string, ChatModel>;
  /** `server.streamWriteTimeoutMs`. */
  streamWriteTimeoutMs: number;
}

/**
 * Hands one request of the OpenAI chat API to the gateway: the parsed body (or why it was
 * refused), its metadata, and a responder that speaks OpenAI's wire. Also used for requests
 * refused before the handler ran (body too large, not JSON, unauthenticated), so that every
 * request on this route is recorded, once, by the gateway.
 */
export async function serveChatCompletion(
  dependencies: ChatRouteDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  refused?: GatewayError,
): Promise<void> {
  const { gateway, models } = dependencies;
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
    signal: readConnectionController(request.raw.socket).signal,
  };
  const responder = new OpenAIChatResponder(reply, {
    includeUsage,
    modelIdOf: (name) => models.get(name)?.modelId ?? name,
    streamWriteTimeoutMs: dependencies.streamWriteTimeoutMs,
    endConnection: (reason) => endConnection(request.raw.socket, reason),
  });
  await gateway.handle(input, responder);
}

/** `POST /v1/chat/completions`, JSON or SSE. */
export function registerChatCompletionsRoute(
  app: FastifyInstance,
  dependencies: ChatRouteDependencies,
): void {
  app.post(CHAT_COMPLETIONS_PATH, { config: { recordsItself: true } }, async (request, reply) => {
    try {
      await serveChatCompletion(dependencies, request, reply);
    } catch (error) {
      // The gateway answers and records every request itself; reaching here is a bug. It must not
      // reach Fastify's error handler, which would record the request a second time.
      request.log.error({ err: error, requestId: request.id }, 'chat handler failed');
      if (!reply.sent) await reply.code(500).send(new InternalError().toJSON());
    }
    return reply;
  });
}
