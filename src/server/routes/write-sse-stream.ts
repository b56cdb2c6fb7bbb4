import type { ServerResponse } from 'node:http';
import type { StreamPart } from '../../contract/index.js';
import { type GatewayError, isGatewayError } from '../../errors/index.js';
import type { ChunkWriter } from '../wire/index.js';

/** Writes one SSE event, waiting for the socket to drain when the client reads slowly. */
async function writeEvent(response: ServerResponse, data: string): Promise<void> {
  if (response.destroyed) return;
  if (response.write(`data: ${data}\n\n`)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/**
 * Streams an answer as OpenAI chunks: a role chunk, content and tool-call deltas, a finish chunk,
 * an optional usage chunk, then `[DONE]`. The first part was already pulled by the caller (so an
 * upstream failing before any byte could still become a normal JSON error). A failure after
 * bytes went out is sent as an `error` event and the stream is ended cleanly.
 */
export async function writeSseStream(options: {
  response: ServerResponse;
  headers: Record<string, string>;
  first: StreamPart;
  rest: AsyncIterator<StreamPart>;
  writer: ChunkWriter;
  includeUsage: boolean;
  convertError(error: unknown): GatewayError;
  /** Called once, when the first answer event (after the role chunk) is handed to the socket. */
  onFirstPart?: () => void;
  /** HTTP trailers sent after the last event (values known only at the end, such as cost). */
  trailers?: () => Record<string, string>;
}): Promise<{ completed: boolean }> {
  const { response, writer } = options;
  const trailerNames = options.trailers ? Object.keys(options.trailers()) : [];
  response.writeHead(200, {
    ...options.headers,
    ...(trailerNames.length > 0 ? { trailer: trailerNames.join(', ') } : {}),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  await writeEvent(response, JSON.stringify(writer.delta({ role: 'assistant', content: '', refusal: null })));
  let part: StreamPart | undefined = options.first;
  let completed = false;
  let firstSeen = false;
  try {
    while (part && !response.destroyed) {
      if (!firstSeen) {
        firstSeen = true;
        options.onFirstPart?.();
      }
      if (part.type === 'text-delta') {
        await writeEvent(
          response,
          JSON.stringify(
            writer.delta({ content: part.delta }, part.logprobs ? { logprobs: part.logprobs } : {}),
          ),
        );
      } else if (part.type === 'tool-call-delta') {
        const call: Record<string, unknown> = { index: part.index };
        if (part.id !== undefined) call.id = part.id;
        if (part.id !== undefined || part.name !== undefined) call.type = 'function';
        call.function = {
          ...(part.name !== undefined ? { name: part.name } : {}),
          arguments: part.argumentsDelta,
        };
        await writeEvent(response, JSON.stringify(writer.delta({ tool_calls: [call] })));
      } else if (part.type === 'finish') {
        writer.model = part.modelId;
        await writeEvent(response, JSON.stringify(writer.finish(part.finishReason)));
        if (options.includeUsage) await writeEvent(response, JSON.stringify(writer.usage(part.usage)));
        await writeEvent(response, '[DONE]');
        completed = !response.destroyed;
        break;
      } else {
        throw part.error;
      }
      const next = await options.rest.next();
      part = next.done ? undefined : next.value;
    }
  } catch (error) {
    const gatewayError = isGatewayError(error) ? error : options.convertError(error);
    await writeEvent(response, JSON.stringify(gatewayError.toJSON()));
  } finally {
    // Let the source release its upstream when the client left mid-way.
    if (!completed) await options.rest.return?.().catch(() => undefined);
    if (options.trailers && !response.destroyed) response.addTrailers(options.trailers());
    response.end();
  }
  return { completed };
}
