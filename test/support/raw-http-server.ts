import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

/** A running raw server: its address and what it has seen. */
export interface RawHttpServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Connections the client has closed or reset so far. */
  closedConnections(): number;
  /** Requests read so far, head and body, as latin1 text. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1 that reads HTTP/1.1 requests (a head, then a Content-Length body) and
 * lets `answer` write every byte of the response itself, so a test can send what no well-behaved
 * HTTP server would: garbage, cut bodies, contradicting framing headers, long silences. `index`
 * counts requests across all connections.
 */
export async function startRawHttpServer(
  answer: (socket: Socket, request: string, index: number) => unknown,
): Promise<RawHttpServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let closedConnections = 0;
  const requests: string[] = [];
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => {
      closedConnections += 1;
      sockets.delete(socket);
    });
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, headEnd))?.[1] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        const request = buffered.slice(0, headEnd + 4 + length);
        buffered = buffered.slice(request.length);
        requests.push(request);
        void answer(socket, request, requests.length - 1);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    closedConnections: () => closedConnections,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
