import { destination } from 'pino';

/** pino's asynchronous destination (a sonic-boom stream). */
export type LogDestination = ReturnType<typeof destination>;

/** The longest shutdown waits for a log reader that takes nothing. */
const FLUSH_TIMEOUT_MS = 5_000;
/** Lines gather until this many bytes are pending... */
const BATCH_BYTES = 4_096;
/** ...or at most this long, so a quiet gateway's lines still show up promptly. */
const BATCH_MS = 250;

/**
 * Log output to a file descriptor (stdout by default) through pino's standard asynchronous
 * destination: a log line never waits for the disk or the pipe's reader. Lines are written in
 * batches (sonic-boom's `minLength` and `periodicFlush`), so a busy gateway makes one write call per
 * few kilobytes of log rather than one per request. pino flushes it synchronously when the process
 * exits; `flushLogDestination` waits for it on an orderly shutdown.
 */
export function createLogDestination(fd = 1): LogDestination {
  return destination({ dest: fd, sync: false, minLength: BATCH_BYTES, periodicFlush: BATCH_MS });
}

/**
 * Resolves once every line written so far has been handed to the descriptor, or after 5 s of a
 * reader that takes nothing. Waiting asynchronously, rather than only flushing synchronously at exit,
 * lets a write that found the pipe full be retried and finish in order. A flush writes what is
 * pending but may stop with less than a batch left, so it is repeated until one writes nothing.
 */
export function flushLogDestination(stream: LogDestination): Promise<void> {
  return new Promise((resolve) => {
    let written = 0;
    const onWrite = (bytes: number) => {
      written += bytes;
    };
    const finish = () => {
      clearTimeout(timeout);
      stream.off('write', onWrite);
      resolve();
    };
    const timeout = setTimeout(finish, FLUSH_TIMEOUT_MS);
    // The callback's error only says the descriptor cannot be fsynced (a pipe); a failed write
    // ends the rounds by writing nothing.
    const round = () => {
      written = 0;
      stream.flush(() => (written === 0 ? finish() : round()));
    };
    stream.on('write', onWrite);
    round();
  });
}
