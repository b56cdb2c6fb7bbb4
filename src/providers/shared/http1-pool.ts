import { isIP, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type ConnectionOwner, Http1Connection, type Http1Exchange } from './http1-connection.js';

function createClosedError(): Error {
  return new Error('the upstream client is closed');
}

/** Ends an exchange that never got a connection. */
function failUnsent(exchange: Http1Exchange, error: Error): void {
  exchange.onError(error);
  exchange.onEnd();
}

/**
 * Keep-alive HTTP/1.1 connections to one upstream origin (`http:` or `https:`), at most
 * `maxConnections` of them; requests beyond that wait in arrival order. The most recently used
 * idle connection goes first, so that idle ones age out after a burst; an idle connection closes
 * after `idleMs`, or sooner when the server's `Keep-Alive: timeout=` hint says so, and never keeps
 * the process alive. TLS sessions are resumed across connections.
 */
export class Http1Pool implements ConnectionOwner {
  private readonly idle: Http1Connection[] = [];
  private readonly waiting: Http1Exchange[] = [];
  /** Connections open or connecting. */
  private count = 0;
  private tlsSession: Buffer | undefined;
  private closed = false;
  private readonly tls: boolean;
  private readonly host: string;
  private readonly port: number;

  constructor(
    private readonly options: {
      url: URL;
      maxConnections: number;
      idleMs: number;
      connectTimeoutMs: number;
      /** Certificate authorities to trust instead of Node's (users add theirs with NODE_EXTRA_CA_CERTS). */
      ca?: string;
    },
  ) {
    this.tls = options.url.protocol === 'https:';
    // An IPv6 literal comes bracketed in a URL.
    this.host = options.url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(options.url.port) || (this.tls ? 443 : 80);
  }

  /** Sends `exchange` on an idle connection, a new one, or the next one free. */
  start(exchange: Http1Exchange): void {
    if (this.closed) {
      failUnsent(exchange, createClosedError());
      return;
    }
    const connection =
      this.idle.pop() ?? (this.count < this.options.maxConnections ? this.open() : undefined);
    if (connection) connection.send(exchange);
    else this.waiting.push(exchange);
  }

  /** Ends `exchange` with `error`, whether it waits for a connection or is on one. */
  cancel(exchange: Http1Exchange, error: Error): void {
    const index = this.waiting.indexOf(exchange);
    if (index !== -1) {
      this.waiting.splice(index, 1);
      failUnsent(exchange, error);
      return;
    }
    exchange.connection?.cancel(exchange, error);
  }

  release(connection: Http1Connection, keepAliveMs: number | undefined): void {
    if (this.closed) {
      connection.close(createClosedError());
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      connection.send(next);
      return;
    }
    const idleMs = Math.min(this.options.idleMs, keepAliveMs ?? this.options.idleMs);
    if (idleMs <= 0) {
      // The server keeps idle connections a second or less: too short to count on.
      connection.close(new Error('the upstream closes idle connections at once'));
      return;
    }
    connection.socket.setTimeout(idleMs);
    connection.socket.unref();
    this.idle.push(connection);
  }

  remove(connection: Http1Connection): void {
    this.count -= 1;
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) this.open().send(next);
  }

  /** Closes the idle connections and refuses new requests (in-flight ones finish first). */
  close(): void {
    this.closed = true;
    for (const connection of [...this.idle]) connection.close(createClosedError());
    for (const exchange of this.waiting.splice(0)) failUnsent(exchange, createClosedError());
  }

  private open(): Http1Connection {
    const socket = this.tls
      ? tlsConnect({
          host: this.host,
          port: this.port,
          // SNI takes a host name, not an address.
          ...(isIP(this.host) ? {} : { servername: this.host }),
          ALPNProtocols: ['http/1.1'],
          ...(this.tlsSession ? { session: this.tlsSession } : {}),
          ...(this.options.ca ? { ca: this.options.ca } : {}),
        })
      : netConnect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1_000);
    this.count += 1;
    const connection = new Http1Connection(socket, this);
    const timer = setTimeout(() => connection.timeOut('connect'), this.options.connectTimeoutMs);
    timer.unref();
    socket.once(this.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      connection.connected();
    });
    socket.once('close', () => clearTimeout(timer));
    if (this.tls) {
      socket.on('session', (session: Buffer) => {
        this.tlsSession = session;
      });
    }
    return connection;
  }
}
