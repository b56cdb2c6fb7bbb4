import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server that can fail the way networks do: refuse and drop every
 * connection (the database is down), or drop one connection right after the server answered a
 * COMMIT, before the client hears it (the commit happened; the client cannot know).
 */
export class CuttingTcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private cutNextCommit = false;
  /** Connections cut after their COMMIT was answered. */
  commitsCut = 0;

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(target: { host: string; port: number }): Promise<CuttingTcpProxy> {
    const server = createServer();
    const proxy = new CuttingTcpProxy(server);
    server.on('connection', (client) => proxy.accept(client, target));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** While down, every open connection is dropped and new ones are closed at once. */
  setDown(down: boolean): void {
    this.refusing = down;
    if (down) for (const socket of this.sockets) socket.destroy();
  }

  /** Drops the next connection that sends COMMIT, after the server's answer, which is swallowed. */
  cutAfterNextCommit(): void {
    this.cutNextCommit = true;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close');
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    this.sockets.add(client).add(upstream);
    let commitSent = false;
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      if (this.cutNextCommit && chunk.includes('COMMIT')) {
        this.cutNextCommit = false;
        commitSent = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (commitSent) {
        this.commitsCut += 1;
        end();
        return;
      }
      client.write(chunk);
    });
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
