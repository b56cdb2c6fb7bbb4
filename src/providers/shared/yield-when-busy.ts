/** Work the readers of upstream bodies may do in one turn of the event loop, together. */
const SLICE_MS = 5;

let sliceStartedAt = 0;
let inSlice = false;

/**
 * Upstream bodies are read in promise callbacks, and promise callbacks run to exhaustion before
 * the event loop takes its next turn: fast streams with data already queued would keep timers,
 * new connections and every other client waiting until all of it was parsed and written. So the
 * readers share a time slice per turn of the loop; a reader that finds it spent waits for the next
 * turn (`setImmediate`, after I/O) and returns a promise to await. Returns undefined otherwise.
 */
export function yieldWhenBusy(): Promise<void> | undefined {
  const now = performance.now();
  if (!inSlice) {
    inSlice = true;
    sliceStartedAt = now;
    // Runs once the loop reaches its check phase: the turn, and the slice, are over.
    setImmediate(() => {
      inSlice = false;
    });
    return undefined;
  }
  if (now - sliceStartedAt < SLICE_MS) return undefined;
  return new Promise((resolve) => setImmediate(resolve));
}
