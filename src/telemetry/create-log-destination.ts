import { destination } from 'pino';

/** pino's asynchronous destination (a sonic-boom stream). */
export type LogDestination = ReturnType<typeof destination>;

/** The longest shutdown waits for a log reader that takes nothing. */
const FLUSH_TIMEOUT_MS = 5_000;

/**
 * Log output to a file descriptor (stdout by default) through pino's standard asynchronous
 * destination: a log line never waits for the disk or the pipe's reader, and lines written while a
 * write is under way go out together in the next one. pino flushes it synchronously when the process
 * exits; `flushLogDestination` waits for it on an orderly shutdown.
 */
export function createLogDestination(fd = 1): LogDestination {
  return destination({ dest: fd, sync: false });
}

/**
 * Resolves once every line written so far has been handed to the descriptor, or after 5 s of a
 * reader that takes nothing. Waiting asynchronously, rather than only flushing synchronously at exit,
 * lets a write that found the pipe full be retried and finish in order.
 */
export function flushLogDestination(stream: LogDestination): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timeout);
      stream.off('drain', finish);
      stream.off('error', finish);
      resolve();
    };
    const timeout = setTimeout(finish, FLUSH_TIMEOUT_MS);
    stream.once('drain', finish);
    stream.once('error', finish);
    // sonic-boom emits 'drain' when a write ends with nothing left to write. An empty write starts
    // one if none is under way, so the event comes whether or not lines are pending.
    stream.write('');
  });
}
