/** One request's use of a model, from `start()` until `stop()`. */
export interface BusyTimeHandle {
  /** Ends the interval; returns this request's share of the model's busy time, in milliseconds. */
  stop(): number;
}

interface Interval {
  shareMs: number;
}

/**
 * Splits a self-hosted model's busy time among the requests that kept it busy. While n requests
 * run at once, each is charged 1/n of the elapsed time, so the shares always add up to the wall
 * time during which the model had any work: an hourly cost spread over them is fully recovered,
 * never counted twice for overlapping requests, and idle time is charged to nobody.
 */
export class BusyTimeMeter {
  private readonly active = new Set<Interval>();
  private lastChange = 0;
  private totalBusyMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Busy milliseconds so far (the sum of every share handed out, plus running ones). */
  get busyMs(): number {
    this.advance();
    return this.totalBusyMs;
  }

  start(): BusyTimeHandle {
    this.advance();
    const interval: Interval = { shareMs: 0 };
    this.active.add(interval);
    return {
      stop: () => {
        if (!this.active.has(interval)) return interval.shareMs;
        this.advance();
        this.active.delete(interval);
        return interval.shareMs;
      },
    };
  }

  private advance(): void {
    const now = this.now();
    const elapsed = now - this.lastChange;
    this.lastChange = now;
    if (this.active.size === 0 || elapsed <= 0) return;
    this.totalBusyMs += elapsed;
    const share = elapsed / this.active.size;
    for (const interval of this.active) interval.shareMs += share;
  }
}
