import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** Sockets whose request was answered while its body was still arriving, and is being dropped. */
const discarding = new WeakSet<Socket>();

/** True while `socket` carries the rest of a refused body: its answer already went out. */
export function isDiscardingBody(socket: Socket): boolean {
  return discarding.has(socket);
}

/**
 * Reads and drops the rest of a refused request's body, up to `limitBytes`, keeping the connection.
 * A client still uploading when its answer comes reads that answer only if the connection stays
 * open until it has sent everything: closed earlier with bytes unread, the socket is reset, and
 * the reset takes the unread answer with it. Past the limit the connection is closed regardless.
 */
export function discardRefusedBody(request: IncomingMessage, limitBytes: number): void {
  if (request.complete || request.destroyed) return;
  const { socket } = request;
  discarding.add(socket);
  let dropped = 0;
  const stop = () => {
    request.off('data', onData);
    request.off('end', stop);
    request.off('close', stop);
    discarding.delete(socket);
  };
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped <= limitBytes) return;
    stop();
    socket.destroy();
  };
  request.on('data', onData);
  request.once('end', stop);
  request.once('close', stop);
  request.resume();
}
