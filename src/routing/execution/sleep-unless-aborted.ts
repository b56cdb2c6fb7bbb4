import { ClientClosedError } from '../../errors/index.js';

/** Waits `ms` (a retry's backoff); a client that leaves meanwhile ends the wait at once. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ClientClosedError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ClientClosedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
