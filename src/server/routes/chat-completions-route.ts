import type { FastifyInstance } from 'fastify';
import type { StreamPart } from '../../contract/index.js';
import type { ModelResolver } from '../../routing/index.js';
import { convertErrorToGatewayError } from '../convert-error-to-response.js';
import {
  ChunkWriter,
  convertToChatCompletion,
  createCompletionId,
  parseChatCompletionRequest,
} from '../wire/index.js';
import { writeSseStream } from './write-sse-stream.js';

/** `POST /v1/chat/completions`, JSON or SSE. A client that disconnects aborts the model call. */
export function registerChatCompletionsRoute(
  app: FastifyInstance,
  options: { resolver: ModelResolver },
): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const parsed = parseChatCompletionRequest(request.body);
    const routeHeader = request.headers['x-switchyard-route'];
    const target = options.resolver.resolve(
      parsed.model,
      parsed.request,
      typeof routeHeader === 'string' && routeHeader !== '' ? routeHeader : undefined,
    );
    const controller = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    reply.header('x-switchyard-model', target.model.name);
    reply.header('x-switchyard-route', target.model.name);
    // Reasons can quote client metadata; header values must be printable ASCII.
    reply.header('x-switchyard-route-reason', target.reason.replace(/[^\x20-\x7e]/g, '?'));
    const created = Math.floor(Date.now() / 1000);
    const id = createCompletionId();

    if (!parsed.stream) {
      const result = await target.model.doGenerate(parsed.request, controller.signal);
      return convertToChatCompletion(result, { id, created });
    }

    const iterator = target.model.doStream(parsed.request, controller.signal)[Symbol.asyncIterator]();
    // Pull the first part before committing to a 200 stream: errors up to here are plain JSON errors.
    const first = await iterator.next();
    if (first.done) throw new Error(`model '${target.model.name}' ended its stream without a finish part`);
    const firstPart: StreamPart = first.value;
    if (firstPart.type === 'error') throw firstPart.error;
    reply.hijack();
    await writeSseStream({
      response: reply.raw,
      headers: Object.fromEntries(
        Object.entries(reply.getHeaders()).map(([key, value]) => [key, String(value)]),
      ),
      first: firstPart,
      rest: iterator,
      writer: new ChunkWriter({
        id,
        created,
        model: target.model.modelId,
        includeUsage: parsed.includeUsage,
      }),
      includeUsage: parsed.includeUsage,
      convertError: (error) => {
        request.log.error({ err: error, requestId: request.id }, 'stream failed');
        return convertErrorToGatewayError(error);
      },
    });
    return reply;
  });
}
