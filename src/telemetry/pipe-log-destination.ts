import { constants, fstatSync, openSync, writeSync } from 'node:fs';
import type { LogDestination } from './create-log-destination.js';

/** Bytes gathered before a write. */
const BATCH_BYTES = 4096;
/** While the reader is not taking lines, how often writing is tried again. */
const RETRY_MS = 10;
/** How long a flush waits for a reader that takes nothing. */
const FLUSH_TIMEOUT_MS = 5_000;
/** Characters of lines waiting beyond this (a reader stalled for good) are dropped and counted, not queued. */
const MAX_PENDING_CHARS = 8 * 1024 * 1024;

/**
 * A non-blocking descriptor of the pipe behind `fd`, or undefined when `fd` is not a pipe. Reopening
 * `/proc/self/fd/N` gives this process its own open file description of the same pipe, so
 * O_NONBLOCK is set on it alone: whoever shares `fd` (the shell, npm, a log shipper) keeps its
 * blocking writes.
 */
export function openNonBlockingPipe(fd: number): number | undefined {
  try {
    if (!fstatSync(fd).isFIFO()) return undefined;
    return openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    // Not Linux, or no /proc: the caller falls back to its threaded writer.
    return undefined;
  }
}

/**
 * Log output to a pipe (stdout under Docker, Kubernetes or a shell's `|`): lines gather up to
 * 4 KiB and go out in one write from the event loop's own thread. The descriptor is non-blocking,
 * so a slow reader never stalls the gateway: what the pipe does not take waits here and is tried
 * again every 10 ms, and past 8 MB waiting, new lines are dropped and counted (the count is
 * written once the reader catches up). Pending lines are written at the latest 250 ms after they
 * arrive, and on shutdown.
 *
 * Why not sonic-boom, which handles files and terminals: its asynchronous writes go through
 * libuv's thread pool, and handing each write to a thread and back cost the gateway about
 * 4.5 µs of CPU per request (median of six interleaved pairs; bench/gateway/RESULTS.md, round 7).
 */
export class PipeLogDestination implements LogDestination {
  private pending = '';
  /** What a write left over when the pipe was full. */
  private unwritten: Buffer | undefined;
  /** Set while the pipe is full: a timer will try again. */
  private retry: NodeJS.Timeout | undefined;
  private readonly periodic: NodeJS.Timeout;
  private dropped = 0;

  constructor(
    private readonly fd: number,
    flushIntervalMs: number,
  ) {
    this.periodic = setInterval(() => this.drain(), flushIntervalMs);
    // Pending lines must not keep a finished process alive; shutdown flushes explicitly.
    this.periodic.unref();
  }

  write(line: string): void {
    // Lengths in characters: log lines are almost all ASCII, and these are thresholds, not sizes.
    if (this.pending.length + (this.unwritten?.length ?? 0) > MAX_PENDING_CHARS) {
      this.dropped += 1;
      return;
    }
    if (this.dropped > 0) this.noteDropped();
    this.pending += line;
    if (this.pending.length >= BATCH_BYTES && this.retry === undefined) this.drain();
  }

  /** Calls back once every pending line is in the pipe, or with an error after 5 s of a full pipe. */
  flush(callback?: (error?: Error) => void, deadline = Date.now() + FLUSH_TIMEOUT_MS): void {
    this.drain();
    if (this.isEmpty()) callback?.();
    else if (Date.now() > deadline) callback?.(new Error('the log pipe took nothing for 5 s'));
    // Not unref'd: shutdown waits for its last lines as long as the reader takes them.
    else setTimeout(() => this.flush(callback, deadline), RETRY_MS);
  }

  /** For a fatal error on the way out: waits for the reader up to one second. */
  flushSync(): void {
    const deadline = Date.now() + 1_000;
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      this.drain();
      if (this.isEmpty() || Date.now() > deadline) return;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }

  /**
   * Says how many lines were dropped, where they were dropped: every pending line was accepted
   * before them (the first line accepted after them, or the first write once the pipe has room,
   * adds this note).
   */
  private noteDropped(): void {
    this.pending += `{"level":40,"time":${Date.now()},"msg":"log lines dropped: the reader of the log pipe fell behind","dropped":${this.dropped}}\n`;
    this.dropped = 0;
  }

  private isEmpty(): boolean {
    return this.pending === '' && this.unwritten === undefined;
  }

  /** Writes what is pending, as far as the pipe takes it. */
  private drain(): void {
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = undefined;
    }
    // The tail of a write the pipe took only in part goes first, as bytes: the cut can fall
    // inside a character.
    if (this.unwritten && !this.writeAll(this.unwritten)) return;
    this.unwritten = undefined;
    if (this.dropped > 0) this.noteDropped();
    if (this.pending === '') return;
    const bytes = Buffer.from(this.pending);
    this.pending = '';
    this.writeAll(bytes);
  }

  /** True when the pipe took every byte; otherwise keeps the rest and tries again shortly. */
  private writeAll(bytes: Buffer): boolean {
    let written = 0;
    try {
      written = writeSync(this.fd, bytes);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Any other error: the reader is gone (EPIPE) or the descriptor is broken; the lines are lost,
      // the gateway goes on serving.
      if (code !== 'EAGAIN') return true;
    }
    if (written === bytes.length) return true;
    this.unwritten = bytes.subarray(written);
    this.retry = setTimeout(() => this.drain(), RETRY_MS);
    this.retry.unref();
    return false;
  }
}
