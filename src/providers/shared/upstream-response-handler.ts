import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { yieldWhenBusy } from './yield-when-busy.js';

/** An upstream response body: read whole (`text`, `json`) or chunk by chunk (`for await`). */
export type UpstreamResponseBody = AsyncIterable<Uint8Array> & {
  text(): Promise<string>;
  json(): Promise<unknown>;
};

/** The response's status line and headers. */
export interface UpstreamResponseHead {
  statusCode: number;
  headers: IncomingHttpHeaders;
}

/** The sizes a response may not pass, and the error each ends the exchange with. */
export interface ResponseLimits {
  /** The whole body, JSON or stream. */
  maxResponseBytes: number;
  /** One line of a streamed (`text/event-stream`) body. */
  maxEventBytes: number;
  createTooLargeError(limit: 'maxResponseBytes' | 'maxEventBytes', limitBytes: number): Error;
}

/** Unread bytes past which the connection stops reading until the reader catches up. */
const HIGH_WATER_BYTES = 64 * 1024;
/** How much of a body whose reader stopped early is read past, so the connection can be kept. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
/** How long the rest of such a body may take before its connection is closed instead. */
const DRAIN_MS = 1_000;

/**
 * Receives one upstream response through undici's dispatch handler API, which hands over the head
 * and each body chunk directly: no stream object per call. Chunks queue for one reader; while too
 * many wait unread, the connection is paused.
 *
 * A streamed answer is done at its last event (`[DONE]`, `message_stop`) while the bytes that end
 * the HTTP body often come a packet later. A reader that stops early therefore lets the rest of the
 * body arrive and be dropped (within limits), so the connection returns to the pool instead of
 * being closed just before it was free.
 */
export class UpstreamResponseHandler implements Dispatcher.DispatchHandler {
  readonly head: Promise<UpstreamResponseHead>;
  readonly body: UpstreamResponseBody;
  private resolveHead!: (head: UpstreamResponseHead) => void;
  private rejectHead!: (error: Error) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;
  private chunks: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private wakeReader: (() => void) | undefined;
  private drainedBytes = -1;
  private drainTimer: NodeJS.Timeout | undefined;
  private receivedBytes = 0;
  private eventStream = false;
  /** Bytes of a streamed body since its last line break. */
  private lineBytes = 0;

  /** `onSettled` runs once, when the exchange is over: the body read, failed, dropped or aborted. */
  constructor(
    private readonly onSettled: () => void,
    private readonly limits: ResponseLimits,
  ) {
    this.head = new Promise((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    // Rejections are handled by whoever awaits the head; one that comes after it was settled is not.
    this.head.catch(() => undefined);
    this.body = {
      text: () => this.readAll().then((buffer) => buffer.toString('utf8')),
      json: () => this.readAll().then((buffer) => JSON.parse(buffer.toString('utf8')) as unknown),
      [Symbol.asyncIterator]: () => this.iterate(),
    };
  }

  /** Ends the exchange now, whatever its state; the reader and the head see `reason`. */
  abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.abortReason ??= reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return;
    const { maxResponseBytes } = this.limits;
    if (Number(headers['content-length']) > maxResponseBytes) {
      controller.abort(this.limits.createTooLargeError('maxResponseBytes', maxResponseBytes));
      return;
    }
    this.eventStream = String(headers['content-type']).startsWith('text/event-stream');
    this.resolveHead({ statusCode, headers });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.drainedBytes >= 0) {
      this.drainedBytes += chunk.length;
      if (this.drainedBytes > DRAIN_LIMIT_BYTES)
        controller.abort(new Error('the unread rest of the body is too long'));
      return;
    }
    this.receivedBytes += chunk.length;
    const { limits } = this;
    if (this.receivedBytes > limits.maxResponseBytes) {
      controller.abort(limits.createTooLargeError('maxResponseBytes', limits.maxResponseBytes));
      return;
    }
    if (this.eventStream && this.measureLines(chunk)) {
      controller.abort(limits.createTooLargeError('maxEventBytes', limits.maxEventBytes));
      return;
    }
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER_BYTES) controller.pause();
    this.wake();
  }

  onResponseEnd(): void {
    this.ended = true;
    this.settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.failure = error;
    this.rejectHead(error);
    this.settle();
  }

  /**
   * Tracks the line a stream is in; true once one is longer than allowed. A line is parsed only
   * when it ends, so without this one endless line would grow in memory until the total limit,
   * and then be parsed in one long, blocking go.
   */
  private measureLines(chunk: Buffer): boolean {
    const max = this.limits.maxEventBytes;
    if (this.lineBytes + chunk.length <= max) {
      const lastBreak = Math.max(chunk.lastIndexOf(10), chunk.lastIndexOf(13));
      this.lineBytes = lastBreak === -1 ? this.lineBytes + chunk.length : chunk.length - lastBreak - 1;
      return false;
    }
    // Rare (a chunk about as long as the limit): every line in it has to be measured.
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index];
      if (byte === 10 || byte === 13) this.lineBytes = 0;
      else if (++this.lineBytes > max) return true;
    }
    return false;
  }

  private settle(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.wake();
    this.onSettled();
  }

  private wake(): void {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }

  private async *iterate(): AsyncGenerator<Uint8Array> {
    let complete = false;
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk) {
          const turn = yieldWhenBusy();
          if (turn) await turn;
          this.queuedBytes -= chunk.length;
          if (this.controller?.paused && this.queuedBytes <= HIGH_WATER_BYTES / 2) this.controller.resume();
          yield chunk;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) {
          complete = true;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wakeReader = resolve;
        });
      }
    } finally {
      if (!complete) this.dropRest();
    }
  }

  private async readAll(): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.iterate()) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /** Nobody reads any more: let the rest arrive and drop it, within limits, to keep the connection. */
  private dropRest(): void {
    if (this.ended || this.failure) return;
    this.drainedBytes = 0;
    this.chunks = [];
    this.queuedBytes = 0;
    if (this.controller?.paused) this.controller.resume();
    this.drainTimer = setTimeout(
      () => this.abort(new Error('the unread rest of the body is too slow')),
      DRAIN_MS,
    );
    this.drainTimer.unref();
  }
}
