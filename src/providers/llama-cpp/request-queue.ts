import { OverloadedError, ServiceUnavailableError } from '../../errors/index.js';

interface Waiter {
  resolve(release: () => void): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
  onAbort(): void;
  signal: AbortSignal;
}

/**
 * Bounds work on one model: at most `concurrency` run, at most `maxWaiting` wait (first in, first
 * out), and nobody waits longer than `timeoutMs`. Beyond that a request fails at once with 429,
 * so load turns into fast, retryable refusals rather than an unbounded pile-up.
 */
export class RequestQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly options: { modelName: string; concurrency: number; maxWaiting: number; timeoutMs: number };
  /** Mean run time of recent requests, for an honest Retry-After. */
  private averageRunMs = 1_000;

  constructor(options: { modelName: string; concurrency: number; maxWaiting: number; timeoutMs: number }) {
    this.options = options;
  }

  get depth(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Resolves with a release function once a slot is free; call it exactly once when done. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.running < this.options.concurrency) {
      this.running++;
      return Promise.resolve(this.createRelease());
    }
    if (this.waiting.length >= this.options.maxWaiting) {
      return Promise.reject(
        new OverloadedError({
          message: `Model '${this.options.modelName}' is busy: ${this.running} running and ${this.waiting.length} waiting. Retry shortly.`,
          retryAfterSeconds: this.estimateRetryAfterSeconds(),
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.remove(waiter);
          reject(signal.reason);
        },
        timer: setTimeout(() => {
          this.remove(waiter);
          reject(
            new ServiceUnavailableError({
              message: `Model '${this.options.modelName}' could not start this request within ${this.options.timeoutMs} ms.`,
              code: 'queue_timeout',
              retryAfterSeconds: this.estimateRetryAfterSeconds(),
            }),
          );
        }, this.options.timeoutMs),
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private createRelease(): () => void {
    const startedAt = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.averageRunMs = 0.8 * this.averageRunMs + 0.2 * (performance.now() - startedAt);
      const next = this.waiting.shift();
      if (!next) {
        this.running--;
        return;
      }
      // The slot passes straight to the next waiter, so `running` stays the same.
      clearTimeout(next.timer);
      next.signal.removeEventListener('abort', next.onAbort);
      next.resolve(this.createRelease());
    };
  }

  private remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    const index = this.waiting.indexOf(waiter);
    if (index !== -1) this.waiting.splice(index, 1);
  }

  private estimateRetryAfterSeconds(): number {
    const queued = this.waiting.length + 1;
    const seconds = (queued * this.averageRunMs) / this.options.concurrency / 1000;
    return Math.min(60, Math.max(1, Math.ceil(seconds)));
  }
}
