import type { Dispatcher } from 'undici';

/** An upstream response body: read whole (`text`, `json`) or chunk by chunk (`for await`). */
export type UpstreamResponseBody = AsyncIterable<Uint8Array> & {
  text(): Promise<string>;
  json(): Promise<unknown>;
};

/** How much of a body whose reader stopped early is read past, so the connection can be kept. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
/** How long the rest of such a body may take before its connection is closed instead. */
const DRAIN_MS = 1_000;

/**
 * Reads what is left of a body nobody wants any more. A streamed answer is done at its last event
 * (`[DONE]`, `message_stop`) while the bytes that end the HTTP body often come a packet later;
 * destroying the body there would close a connection that is about to be free.
 */
function drain(body: Dispatcher.ResponseData['body']): void {
  body.dump({ limit: DRAIN_LIMIT_BYTES, signal: AbortSignal.timeout(DRAIN_MS) }).catch(() => {
    // Closed instead of drained: the connection goes with it, nothing else to do.
  });
}

/** Wraps undici's body so that a reader that stops early lets the connection be reused. */
export function createUpstreamResponseBody(body: Dispatcher.ResponseData['body']): UpstreamResponseBody {
  return {
    text: () => body.text(),
    json: () => body.json(),
    async *[Symbol.asyncIterator]() {
      let complete = false;
      try {
        for await (const chunk of body.iterator({ destroyOnReturn: false })) yield chunk as Buffer;
        complete = true;
      } finally {
        if (!complete && !body.destroyed) drain(body);
      }
    },
  };
}
