import type { ServerResponse } from 'node:http';

/** Writes one SSE event, waiting for the socket to drain when the client reads slowly. */
export async function writeSseEvent(response: ServerResponse, data: string): Promise<void> {
  if (response.destroyed) return;
  if (response.write(`data: ${data}\n\n`)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
