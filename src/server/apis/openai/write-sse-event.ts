import type { ServerResponse } from 'node:http';

/**
 * Writes one SSE event. When the client reads slower than the answer comes, waits for the socket to
 * drain, so what waits for it stays within the socket's own buffer; a client that reads nothing for
 * `stall.timeoutMs` gets `stall.onStall()` (which ends the stream) instead of an endless wait.
 */
export async function writeSseEvent(
  response: ServerResponse,
  data: string,
  stall: { timeoutMs: number; onStall(): void },
): Promise<void> {
  if (response.destroyed) return;
  if (response.write(`data: ${data}\n\n`)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      stall.onStall();
    }, stall.timeoutMs);
    response.on('drain', done);
    response.on('close', done);
  });
}
