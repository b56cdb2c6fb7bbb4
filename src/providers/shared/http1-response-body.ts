/** Bytes queued for an iterating reader before the connection stops reading from the socket. */
const HIGH_WATER_BYTES = 64 * 1024;

/** What the body asks of the connection it arrives on. */
export interface BodySource {
  /** Stop (true) or resume (false) reading from the socket: a slow reader holds the upstream back. */
  pause(paused: boolean): void;
  /** The reader stopped before the end (what still arrives is dropped). */
  abandon(): void;
}

/**
 * A response body as it arrives: read whole (`text`, `json`) or chunk by chunk (`for await`).
 * Chunks are Buffers that reference the socket's reads (no copy); a reader that iterates gets
 * backpressure, one that reads whole gets every byte gathered.
 */
export class Http1ResponseBody implements AsyncIterable<Uint8Array> {
  private readonly chunks: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  /** Wakes a reader waiting for the next chunk, the end or a failure. */
  private wake: (() => void) | undefined;
  private paused = false;
  /** Set by `text`: the reader takes everything at the end, so the socket is never paused for it. */
  private gathering = false;
  /** Set when an iterating reader stops before the end. */
  private abandoned = false;

  constructor(private readonly source: BodySource) {}

  get complete(): boolean {
    return this.ended;
  }

  push(chunk: Buffer): void {
    // A reader that stopped early takes nothing more; the connection reads the rest past it.
    if (this.abandoned) return;
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    this.wakeReader();
  }

  end(): void {
    this.ended = true;
    this.wakeReader();
  }

  fail(error: Error): void {
    if (this.ended || this.failure) return;
    this.failure = error;
    this.wakeReader();
  }

  /** The whole body as UTF-8 text (multi-byte characters may straddle chunks). */
  async text(): Promise<string> {
    this.gathering = true;
    if (this.paused) this.setPaused(false);
    while (!this.ended) {
      if (this.failure) throw this.failure;
      await this.waitForMore();
    }
    const { chunks } = this;
    return chunks.length === 1
      ? (chunks[0] as Buffer).toString('utf8')
      : Buffer.concat(chunks).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.nextChunk(),
      return: async () => {
        if (!this.ended && !this.abandoned) {
          this.abandoned = true;
          this.chunks.length = 0;
          if (this.paused) this.setPaused(false);
          this.source.abandon();
        }
        return { done: true, value: undefined };
      },
    };
  }

  private async nextChunk(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        this.queuedBytes -= chunk.length;
        if (this.paused && this.queuedBytes < HIGH_WATER_BYTES / 4) this.setPaused(false);
        return { done: false, value: chunk };
      }
      if (this.failure) throw this.failure;
      if (this.ended) return { done: true, value: undefined };
      await this.waitForMore();
    }
  }

  /** Resolves at the next chunk, the end or a failure. */
  private waitForMore(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private wakeReader(): void {
    if (!this.gathering && !this.paused && this.queuedBytes > HIGH_WATER_BYTES) this.setPaused(true);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    this.source.pause(paused);
  }
}
