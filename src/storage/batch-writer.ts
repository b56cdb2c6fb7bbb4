/**
 * Queues items and hands them to `write` in batches: when `batchSize` are waiting, or
 * `flushIntervalMs` after the first one arrived. The caller of `add` never waits on storage.
 * Writes never overlap, so rows keep their order and nothing is written twice.
 */
export class BatchWriter<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(
    private readonly options: {
      batchSize: number;
      flushIntervalMs: number;
      /** Stores one batch; a rejection is reported to `onError` and the batch is dropped. */
      write: (batch: T[]) => void | Promise<void>;
      onError: (error: unknown, batch: T[]) => void;
    },
  ) {}

  /** Items queued or being written. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  add(item: T): void {
    this.queue.push(item);
    if (this.queue.length >= this.options.batchSize) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs);
      // A pending flush must not keep a finished process alive; close() flushes explicitly.
      this.timer.unref();
    }
  }

  /** Writes everything queued so far; resolves when it is stored (or reported as failed). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return this.writing;
    const batch = this.queue;
    this.queue = [];
    this.inFlight += batch.length;
    this.writing = this.writing.then(async () => {
      try {
        await this.options.write(batch);
      } catch (error) {
        this.options.onError(error, batch);
      } finally {
        this.inFlight -= batch.length;
      }
    });
    return this.writing;
  }
}
