import { destination } from 'pino';
import { openNonBlockingPipe, PipeLogDestination } from './pipe-log-destination.js';

/** What pino needs from a destination, plus the flush the gateway calls on shutdown. */
export interface LogDestination {
  write(line: string): void;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
}

/** The longest a log line waits in the buffer. */
export const FLUSH_INTERVAL_MS = 250;

/**
 * Log output to a file descriptor (stdout by default). A pipe (how containers collect stdout) gets
 * `PipeLogDestination`: non-blocking writes from the event loop's thread. Anything else (a file, a
 * terminal, a socket) gets asynchronous, buffered output through sonic-boom, flushed when 4 KiB
 * have gathered, at the latest 250 ms after a line was written (so a quiet gateway's lines do not
 * wait for the next 4 KiB of traffic), and on shutdown.
 *
 * Lines are handed to sonic-boom as Buffers: in its string mode it measures the whole pending text
 * with `Buffer.byteLength` on every write, which flattens the growing string each time; that cost
 * about 8 KB of garbage and 2 µs per line at the gateway's load (bench/gateway/RESULTS.md).
 */
export function createLogDestination(fd = 1): LogDestination {
  const pipe = openNonBlockingPipe(fd);
  if (pipe !== undefined) return new PipeLogDestination(pipe, FLUSH_INTERVAL_MS);
  const boom = destination({
    dest: fd,
    sync: false,
    minLength: 4096,
    periodicFlush: FLUSH_INTERVAL_MS,
    contentMode: 'buffer',
  });
  // Bytes handed over but not yet written. sonic-boom calls a flush's callback when its current
  // write ends even if less than `minLength` is still queued behind it, so `flush` goes on until
  // this is zero.
  let unwritten = 0;
  boom.on('write', (bytes: number) => {
    unwritten = Math.max(0, unwritten - bytes);
  });
  const flush = (callback?: (error?: Error) => void): void => {
    boom.flush((error) => {
      if (error) callback?.(error);
      else if (unwritten > 0) flush(callback);
      else callback?.();
    });
  };
  return {
    write: (line) => {
      const bytes = Buffer.from(line);
      unwritten += bytes.length;
      boom.write(bytes as unknown as string);
    },
    flush,
    flushSync: () => {
      boom.flushSync();
      unwritten = 0;
    },
  };
}
