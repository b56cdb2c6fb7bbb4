import type { Socket } from 'node:net';
import { Http1ResponseBody } from './http1-response-body.js';

/** The head of an upstream response; header names in lower case, repeated ones joined by ", ". */
export interface Http1Response {
  status: number;
  headers: Record<string, string>;
  body: Http1ResponseBody;
}

/** One request on a connection, as the connection sees it. */
export interface Http1Exchange {
  /** The request, head and body, as one string (one write). */
  readonly message: string;
  /** The silence allowed while waiting for the head and between body chunks (from the connect). */
  readonly idleTimeoutMs: number;
  /** The connection this exchange was given (set by the pool). */
  connection?: Http1Connection;
  onResponse(response: Http1Response): void;
  /** The request failed before a response head came (later failures go to the body). At most once. */
  onError(error: Error): void;
  /** The exchange is over (answered, failed or cancelled). Called exactly once. */
  onEnd(): void;
  createTimeoutError(phase: 'connect' | 'first-byte'): Error;
}

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The exchange ended and the connection can take another (`keepAliveMs`: the server's hint). */
  release(connection: Http1Connection, keepAliveMs: number | undefined): void;
  /** The connection is closed for good. */
  remove(connection: Http1Connection): void;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** A response head (or a chunk-size line) longer than this is refused. */
const MAX_HEAD_BYTES = 64 * 1024;
/** How long the rest of a body whose reader stopped early may take before the connection closes. */
const DRAIN_MS = 1_000;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: |$)/;

enum Phase {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

function createProtocolError(message: string): Error {
  return Object.assign(new Error(message), { code: 'HPE_INVALID_RESPONSE' });
}

function createHangUpError(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

function parseHead(text: string): { status: number; http11: boolean; headers: Record<string, string> } {
  const lines = text.split('\r\n');
  const statusLine = STATUS_LINE.exec(lines[0] as string);
  if (!statusLine) throw createProtocolError('the upstream sent something other than an HTTP/1.x response');
  const headers: Record<string, string> = {};
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) throw createProtocolError('the upstream sent a malformed response header');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers[name];
    headers[name] = seen === undefined ? value : `${seen}, ${value}`;
  }
  return { status: Number(statusLine[2]), http11: statusLine[1] === '1', headers };
}

/** The server's `Keep-Alive: timeout=N` hint, less a second for the trip, in ms. */
function readKeepAliveHint(value: string | undefined): number | undefined {
  const seconds = value ? /timeout=(\d+)/i.exec(value)?.[1] : undefined;
  return seconds === undefined ? undefined : Math.max(0, Number(seconds) * 1000 - 1000);
}

/**
 * One keep-alive HTTP/1.1 connection to an upstream: writes a request in one piece and parses the
 * response as it arrives (status line and headers; a body framed by Content-Length, chunked
 * encoding or the end of the connection; 1xx interim responses skipped). Its socket listeners are
 * attached once for the connection's life, not per request. Anything it cannot parse, data it did
 * not ask for, and a connection closed mid-response fail the exchange and close the connection.
 */
export class Http1Connection {
  private exchange: Http1Exchange | undefined;
  private body: Http1ResponseBody | undefined;
  private phase = Phase.Head;
  /** Bytes of a head or chunk line that arrived without its end. */
  private pending: Buffer | undefined;
  private remaining = 0;
  private reusable = true;
  private keepAliveMs: number | undefined;
  /** Set when a response ends while its bytes are parsed. */
  private finished = false;
  /** Running while the rest of a body its reader left is read and dropped. */
  private drainTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly socket: Socket,
    private readonly owner: ConnectionOwner,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error: Error) => this.close(error));
    socket.on('close', () => this.close(createHangUpError()));
    socket.on('timeout', () => this.timeOut('first-byte'));
  }

  /** Sends `exchange`'s request; the connection must be idle (or still connecting). */
  send(exchange: Http1Exchange): void {
    this.exchange = exchange;
    exchange.connection = this;
    this.phase = Phase.Head;
    // A connecting socket's clock starts at `connected`: the connect has its own timeout.
    if (!this.socket.connecting) this.socket.setTimeout(exchange.idleTimeoutMs);
    this.socket.ref();
    this.socket.write(exchange.message);
  }

  /** The socket connected (for TLS: finished its handshake). */
  connected(): void {
    if (this.exchange) this.socket.setTimeout(this.exchange.idleTimeoutMs);
  }

  timeOut(phase: 'connect' | 'first-byte'): void {
    this.close(this.exchange?.createTimeoutError(phase) ?? createHangUpError());
  }

  /** Ends `exchange` with `error` if it is still on this connection (and the connection with it). */
  cancel(exchange: Http1Exchange, error: Error): void {
    if (this.exchange === exchange) this.close(error);
  }

  /** Ends the connection, and with it any exchange on it (`error` goes to that exchange). */
  close(error: Error): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
      this.owner.remove(this);
    }
    this.failExchange(error);
  }

  private failExchange(error: Error): void {
    const exchange = this.exchange;
    if (!exchange) return;
    this.exchange = undefined;
    const body = this.body;
    this.body = undefined;
    if (body) body.fail(error);
    else exchange.onError(error);
    exchange.onEnd();
  }

  private onEnd(): void {
    // The server closed its side: the end of a body framed by the connection, otherwise a hang-up.
    if (this.exchange && this.phase === Phase.UntilClose) {
      this.reusable = false;
      this.finishBody();
    }
    this.close(createHangUpError());
  }

  private onData(chunk: Buffer): void {
    if (!this.exchange) {
      // Nothing was asked: a server that talks out of turn cannot be trusted with the next request.
      this.close(createProtocolError('the upstream sent data without a request'));
      return;
    }
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let used: number;
    try {
      used = this.parse(data);
    } catch (error) {
      this.close(error as Error);
      return;
    }
    if (!this.finished) return;
    // The response ended in this chunk; only now, with nothing left over, may another request use
    // the connection.
    this.finished = false;
    if (used < data.length) this.close(createProtocolError('the upstream sent more than its response'));
    else if (this.reusable) this.owner.release(this, this.keepAliveMs);
    else this.close(createHangUpError());
  }

  /** Consumes `data` while an exchange is on; returns the bytes used. Keeps a partial line. */
  private parse(data: Buffer): number {
    let offset = 0;
    while (offset < data.length && this.exchange) {
      switch (this.phase) {
        case Phase.Head: {
          const end = data.indexOf(HEAD_END, offset);
          if (end === -1) return this.keepPartial(data, offset);
          offset = this.readHead(data.toString('latin1', offset, end), end + HEAD_END.length);
          break;
        }
        case Phase.Length:
        case Phase.ChunkData: {
          const take = Math.min(this.remaining, data.length - offset);
          (this.body as Http1ResponseBody).push(data.subarray(offset, offset + take));
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.phase === Phase.Length) this.finishBody();
            else this.phase = Phase.ChunkEnd;
          }
          break;
        }
        case Phase.ChunkSize: {
          const end = data.indexOf(CRLF, offset);
          if (end === -1) return this.keepPartial(data, offset);
          const size = /^[0-9a-fA-F]{1,8}/.exec(data.toString('latin1', offset, end))?.[0];
          if (size === undefined) throw createProtocolError('the upstream sent a malformed chunk size');
          this.remaining = Number.parseInt(size, 16);
          this.phase = this.remaining === 0 ? Phase.Trailers : Phase.ChunkData;
          offset = end + CRLF.length;
          break;
        }
        case Phase.ChunkEnd: {
          if (data.length - offset < CRLF.length) return this.keepPartial(data, offset);
          if (data[offset] !== 13 || data[offset + 1] !== 10) {
            throw createProtocolError('the upstream sent a chunk longer than its size');
          }
          offset += CRLF.length;
          this.phase = Phase.ChunkSize;
          break;
        }
        case Phase.Trailers: {
          // Trailer lines are read past; an empty line ends the body.
          const end = data.indexOf(CRLF, offset);
          if (end === -1) return this.keepPartial(data, offset);
          const empty = end === offset;
          offset = end + CRLF.length;
          if (empty) this.finishBody();
          break;
        }
        case Phase.UntilClose:
          (this.body as Http1ResponseBody).push(offset === 0 ? data : data.subarray(offset));
          offset = data.length;
          break;
      }
    }
    return offset;
  }

  private keepPartial(data: Buffer, offset: number): number {
    if (data.length - offset > MAX_HEAD_BYTES)
      throw createProtocolError('the upstream sent an oversized response head');
    this.pending = data.subarray(offset);
    return data.length;
  }

  /** Reads a response head; returns where its body starts. */
  private readHead(text: string, bodyStart: number): number {
    const { status, http11, headers } = parseHead(text);
    // 1xx: an interim response (100 Continue, 103 Early Hints); the real one follows.
    if (status < 200) return bodyStart;
    const connection = headers.connection?.toLowerCase();
    this.reusable = http11 ? connection !== 'close' : connection === 'keep-alive';
    this.keepAliveMs = readKeepAliveHint(headers['keep-alive']);
    const transferEncoding = headers['transfer-encoding'];
    const contentLength = headers['content-length'];
    let hasBody = true;
    if (transferEncoding !== undefined) {
      if (/(?:^|,)\s*chunked\s*$/i.test(transferEncoding)) this.phase = Phase.ChunkSize;
      else {
        this.phase = Phase.UntilClose;
        this.reusable = false;
      }
    } else if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength))
        throw createProtocolError('the upstream sent a malformed Content-Length');
      this.remaining = Number(contentLength);
      this.phase = Phase.Length;
      hasBody = this.remaining > 0;
    } else if (status === 204 || status === 304) {
      hasBody = false;
    } else {
      this.phase = Phase.UntilClose;
      this.reusable = false;
    }
    const body = new Http1ResponseBody({
      pause: (paused) => (paused ? this.socket.pause() : this.socket.resume()),
      abandon: () => {
        if (this.body !== body) return;
        // An SSE reader stops at `[DONE]`, often a packet before the chunk that ends the body: read
        // the rest for a moment, so the connection serves again (a new TLS connection costs a
        // handshake); a body that ends only with the connection, or does not end soon, closes it.
        if (this.phase === Phase.UntilClose) this.close(createHangUpError());
        else {
          this.drainTimer = setTimeout(() => this.close(createHangUpError()), DRAIN_MS);
          this.drainTimer.unref();
        }
      },
    });
    this.body = body;
    (this.exchange as Http1Exchange).onResponse({ status, headers, body });
    if (!hasBody) this.finishBody();
    return bodyStart;
  }

  /** The response is complete; `onData` then hands the connection back or closes it. */
  private finishBody(): void {
    if (this.drainTimer) {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
    }
    const exchange = this.exchange as Http1Exchange;
    const body = this.body as Http1ResponseBody;
    this.exchange = undefined;
    this.body = undefined;
    this.phase = Phase.Head;
    this.finished = true;
    body.end();
    exchange.onEnd();
  }
}
