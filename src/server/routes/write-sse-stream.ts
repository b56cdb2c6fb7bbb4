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
 * Commits a streamed answer: status 200, the headers (declaring the trailers that will follow) and
 * OpenAI's opening role chunk. Called as soon as an upstream accepts the request, so the client's
 * first byte does not wait for the model's first token.
 */
export async function openSseStream(options: {
  response: ServerResponse;
  headers: Record<string, string>;
  trailerNames: string[];
  writer: ChunkWriter;
}): Promise<void> {
  const { response, trailerNames } = options;
  response.writeHead(
    200,
    Object.assign({}, options.headers, trailerNames.length > 0 ? { trailer: trailerNames.join(', ') } : {}, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    }),
  );
  await writeEvent(
    response,
    JSON.stringify(options.writer.delta({ role: 'assistant', content: '', refusal: null })),
  );
}

/** Ends an opened stream: the trailers (values known only at the end, such as cost), then EOF. */
function endSseStream(response: ServerResponse, trailers: Record<string, string> | undefined): void {
  if (trailers && !response.destroyed) response.addTrailers(trailers);
  response.end();
}

/** Ends an opened stream whose request failed before any answer part: one `error` event. */
export async function failSseStream(
  response: ServerResponse,
  error: GatewayError,
  trailers?: Record<string, string>,
): Promise<void> {
  await writeEvent(response, JSON.stringify(error.toJSON()));
  endSseStream(response, trailers);
}

/**
 * Streams an answer into an opened stream as OpenAI chunks: content and tool-call deltas, a finish
 * chunk, an optional usage chunk, then `[DONE]`. The first part was already pulled by the caller
 * (so an upstream failing before any part could still fall back). A failure after that is sent as
 * an `error` event and the stream is ended cleanly.
 */
export async function writeSseStream(options: {
  response: ServerResponse;
  first: StreamPart;
  rest: AsyncIterator<StreamPart>;
  writer: ChunkWriter;
  includeUsage: boolean;
  convertError(error: unknown): GatewayError;
  /** Called once, when the first answer part (after the role chunk) is handed to the socket. */
  onFirstPart?: () => void;
  /** HTTP trailers sent after the last event. */
  trailers?: () => Record<string, string>;
}): Promise<{ completed: boolean }> {
  const { response, writer } = options;
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
        call.function =
          part.name !== undefined
            ? { name: part.name, arguments: part.argumentsDelta }
            : { arguments: part.argumentsDelta };
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
    endSseStream(response, options.trailers?.());
  }
  return { completed };
}
