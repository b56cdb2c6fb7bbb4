import { destination } from 'pino';

/** What pino needs from a destination, plus the flush the gateway calls on shutdown. */
export interface LogDestination {
  write(line: string): void;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
}

/**
 * Asynchronous, buffered log output to a file descriptor (stdout by default), flushed when 4 KiB
 * have gathered and on shutdown.
 *
 * Lines are handed to sonic-boom as Buffers: in its string mode it measures the whole pending text
 * with `Buffer.byteLength` on every write, which flattens the growing string each time; that cost
 * about 8 KB of garbage and 2 µs per line at the gateway's load (bench/gateway/RESULTS.md).
 */
export function createLogDestination(fd = 1): LogDestination {
  const boom = destination({ dest: fd, sync: false, minLength: 4096, contentMode: 'buffer' });
  return {
    write: (line) => boom.write(Buffer.from(line) as unknown as string),
    flush: (callback) => boom.flush(callback),
    flushSync: () => boom.flushSync(),
  };
}
