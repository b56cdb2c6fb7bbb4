import type { CancelSignal } from '../contract/index.js';
import { ClientClosedError } from '../errors/index.js';

/**
 * The cancel signal of one HTTP request: aborted when its client disconnects before the answer is
 * complete. A plain object rather than an `AbortController`, whose signal Node 20 keeps alive until
 * a full garbage collection (see `CancelSignal`). Listeners run once, in the order they were added;
 * one that throws does not keep the others from running (its error is rethrown afterwards, as an
 * `AbortSignal` would report it).
 */
export class RequestCancellation implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listeners.indexOf(listener);
    if (index !== -1) this.listeners.splice(index, 1);
  }

  abort(reason: unknown = new ClientClosedError()): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }
}
