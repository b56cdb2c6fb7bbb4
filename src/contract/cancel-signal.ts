/**
 * How a model call learns that its client has gone: the part of `AbortSignal` the gateway uses, so
 * a real `AbortSignal` is one. The HTTP route passes a lighter one (`RequestCancellation` in
 * server/): Node 20 keeps every `AbortSignal` it creates alive until a full garbage collection, so
 * one per request was promoted to the old generation with everything its listeners held, and cost
 * about 10 µs a request in collections (bench/gateway/RESULTS.md). A backend that needs a real
 * `AbortSignal` (node-llama-cpp) makes one from this.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  /** Why it was cancelled (set when `aborted` becomes true). */
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
