import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Http1Exchange, Http1Response } from './http1-connection.js';
import { Http1Pool } from './http1-pool.js';

/**
 * A raw TCP server on 127.0.0.1 that answers each request (one per blank-line-ended head with its
 * Content-Length body) with `answer`, so the tests choose every byte and every packet boundary.
 */
async function startServer(answer: (socket: Socket, request: string, index: number) => unknown) {
  const sockets: Socket[] = [];
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.setNoDelay(true);
    let buffered = '';
    socket.on('data', async (chunk) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, headEnd))?.[1] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        const request = buffered.slice(0, headEnd + 4 + length);
        buffered = buffered.slice(request.length);
        requests += 1;
        await answer(socket, request, requests - 1);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
  return {
    url,
    /** TCP connections accepted so far. */
    connections: () => sockets.length,
    requests: () => requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Writes `parts` (one byte per character) as separate packets, so the client sees them split. */
async function writeSplit(socket: Socket, parts: string[]): Promise<void> {
  for (const part of parts) {
    socket.write(part, 'latin1');
    await sleep(15);
  }
}

const REQUEST = (body = '{}') =>
  `POST /v1/x HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

interface Sent {
  exchange: Http1Exchange;
  /** The response head (rejects with the exchange's error before it). */
  response: Promise<Http1Response>;
  ended: Promise<void>;
}

function send(pool: Http1Pool, message = REQUEST(), idleTimeoutMs = 2_000): Sent {
  let onResponse!: (response: Http1Response) => void;
  let onError!: (error: Error) => void;
  let onEnd!: () => void;
  const response = new Promise<Http1Response>((resolve, reject) => {
    onResponse = resolve;
    onError = reject;
  });
  const ended = new Promise<void>((resolve) => {
    onEnd = resolve;
  });
  const exchange: Http1Exchange = {
    message,
    idleTimeoutMs,
    onResponse,
    onError,
    onEnd,
    createTimeoutError: (phase) => Object.assign(new Error(`timeout: ${phase}`), { code: 'TIMEOUT' }),
  };
  pool.start(exchange);
  return { exchange, response, ended };
}

async function fetchText(pool: Http1Pool, message?: string) {
  const { response } = send(pool, message);
  const { status, headers, body } = await response;
  return { status, headers, text: await body.text() };
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function createPool(url: URL, maxConnections = 4, ca?: string): Http1Pool {
  const pool = new Http1Pool({
    url,
    maxConnections,
    idleMs: 30_000,
    connectTimeoutMs: 2_000,
    ...(ca ? { ca } : {}),
  });
  cleanups.push(() => pool.close());
  return pool;
}

describe('Http1Pool', () => {
  it('reads a Content-Length body whose head and body arrive in pieces, and reuses the connection', async () => {
    const server = await startServer((socket) =>
      writeSplit(socket, [
        'HTTP/1.1 200 OK\r\nContent-Ty',
        'pe: application/json\r\nContent-Length: 10\r',
        '\n\r\n{"a":',
        '1234}',
      ]),
    );
    cleanups.push(server.close);
    const pool = createPool(server.url);
    const first = await fetchText(pool);
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-type'], 'application/json');
    assert.equal(first.text, '{"a":1234}');
    assert.equal((await fetchText(pool)).text, '{"a":1234}');
    assert.equal(server.connections(), 1);
  });

  it('decodes chunked bodies cut anywhere, with chunk extensions and trailers', async () => {
    const server = await startServer((socket) =>
      writeSplit(socket, [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5',
        ';ext=1\r\nhel',
        'lo\r',
        '\n6\r\n wor',
        'ld\r\n0\r\nX-Trailer: yes\r\n',
        '\r\n',
      ]),
    );
    cleanups.push(server.close);
    const pool = createPool(server.url);
    assert.equal((await fetchText(pool)).text, 'hello world');
    // The connection went back to the pool after the trailers.
    assert.equal((await fetchText(pool)).text, 'hello world');
    assert.equal(server.connections(), 1);
  });

  it('streams chunks as they come, and keeps multi-byte characters whole when read as text', async () => {
    const server = await startServer((socket) =>
      writeSplit(socket, [
        'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n',
        '4\r\n\xe2\x82\xac\xe2\r\n',
        '2\r\n\x82\xac\r\n0\r\n\r\n',
      ]),
    );
    cleanups.push(server.close);
    const pool = createPool(server.url);
    const { body } = await send(pool).response;
    const chunks: number[] = [];
    for await (const chunk of body) chunks.push(chunk.length);
    assert.deepEqual(chunks, [4, 2]);
    const again = await fetchText(pool);
    assert.equal(again.text, '€€');
  });

  it('opens a new connection after `Connection: close` and after a body that ends with the connection', async () => {
    const server = await startServer((socket, _request, index) => {
      if (index === 0) socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      else socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
    });
    cleanups.push(server.close);
    const pool = createPool(server.url);
    assert.equal((await fetchText(pool)).text, 'ok');
    assert.equal((await fetchText(pool)).text, 'until the end');
    assert.equal(server.connections(), 2);
  });

  it('skips interim 1xx responses', async () => {
    const server = await startServer((socket) =>
      writeSplit(socket, [
        'HTTP/1.1 100 Continue\r\n\r\n',
        'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n',
      ]),
    );
    cleanups.push(server.close);
    const pool = createPool(server.url);
    const answer = await fetchText(pool);
    assert.equal(answer.status, 201);
    assert.equal(answer.text, '');
  });

  it('fails the exchange on a response it cannot parse, and on one cut short', async () => {
    const server = await startServer((socket, _request, index) => {
      if (index === 0) socket.write('\u0000\u00ff garbage \u0001\r\n\r\n');
      else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
    });
    cleanups.push(server.close);
    const pool = createPool(server.url);
    await assert.rejects(send(pool).response, { code: 'HPE_INVALID_RESPONSE' });
    const { body } = await send(pool).response;
    await assert.rejects(body.text(), { code: 'ECONNRESET' });
  });

  it('does not reuse a connection whose server sent more than its response', async () => {
    const server = await startServer((socket) =>
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale',
      ),
    );
    cleanups.push(server.close);
    const pool = createPool(server.url);
    assert.equal((await fetchText(pool)).text, 'ok');
    assert.equal((await fetchText(pool)).text, 'ok');
    assert.equal(server.connections(), 2);
  });

  it('keeps at most maxConnections open; the rest wait their turn', async () => {
    const server = await startServer(async (socket) => {
      await sleep(20);
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    cleanups.push(server.close);
    const pool = createPool(server.url, 2);
    const answers = await Promise.all(Array.from({ length: 7 }, () => fetchText(pool)));
    assert.deepEqual(
      answers.map((answer) => answer.text),
      Array(7).fill('ok'),
    );
    assert.equal(server.connections(), 2);
    assert.equal(server.requests(), 7);
  });

  it('drops an idle connection the server closed, and answers the next request on a new one', async () => {
    const server = await startServer(async (socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      // Closed once the client has put it back in its pool, as a server's idle timeout would.
      await sleep(10);
      socket.end();
    });
    cleanups.push(server.close);
    const pool = createPool(server.url);
    assert.equal((await fetchText(pool)).text, 'ok');
    await sleep(50);
    assert.equal((await fetchText(pool)).text, 'ok');
    assert.equal(server.connections(), 2);
  });

  it('reads past a reader that stopped early when the body ends soon after, and reuses the connection', async () => {
    const server = await startServer((socket) =>
      writeSplit(socket, [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n15\r\ndata: [DONE]\n\n.......\r\n',
        // The chunk that ends the body comes a packet later, as it often does after [DONE].
        '0\r\n\r\n',
      ]),
    );
    cleanups.push(server.close);
    const pool = createPool(server.url);
    for (let call = 0; call < 3; call += 1) {
      const { body } = await send(pool).response;
      for await (const chunk of body) {
        assert.match(Buffer.from(chunk).toString(), /\[DONE\]/);
        break;
      }
      // Give the end of the body time to arrive.
      await sleep(40);
    }
    assert.equal(server.connections(), 1);
  });

  it('closes a connection whose reader stopped early when the rest of the body does not come', async () => {
    const server = await startServer((socket, _request, index) => {
      if (index === 0) socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo');
    });
    cleanups.push(server.close);
    const pool = createPool(server.url, 1);
    const { body, ...rest } = await send(pool).response;
    assert.equal(rest.status, 200);
    for await (const chunk of body) {
      assert.equal(Buffer.from(chunk).toString(), 'one');
      break;
    }
    // With one connection allowed, the next call waits until the stalled one gives up (1 s).
    const started = performance.now();
    assert.equal((await fetchText(pool)).text, 'two');
    assert.ok(performance.now() - started >= 900);
    assert.equal(server.connections(), 2);
  });

  it('holds a streamed body back while its reader is slow, and delivers every byte', async () => {
    const piece = 'x'.repeat(16_384);
    const server = await startServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      for (let index = 0; index < 64; index += 1) socket.write(`4000\r\n${piece}\r\n`);
      socket.write('0\r\n\r\n');
    });
    cleanups.push(server.close);
    const pool = createPool(server.url);
    const sent = send(pool);
    const { body } = await sent.response;
    await sleep(100);
    // 1 MB on its way and nobody reading: the connection stopped reading the socket.
    assert.equal(sent.exchange.connection?.socket.isPaused(), true);
    let bytes = 0;
    for await (const chunk of body) bytes += chunk.length;
    assert.equal(bytes, 64 * 16_384);
  });

  it('does not keep a connection the server says it will close within a second', async () => {
    const server = await startServer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok'),
    );
    cleanups.push(server.close);
    const pool = createPool(server.url);
    await fetchText(pool);
    await fetchText(pool);
    assert.equal(server.connections(), 2);
  });

  it('cancels an exchange waiting for a connection and one in flight, and times out a silent server', async () => {
    const server = await startServer(() => {
      // Never answers.
    });
    cleanups.push(server.close);
    const pool = createPool(server.url, 1);
    const inFlight = send(pool, REQUEST(), 100_000);
    const queued = send(pool);
    pool.cancel(queued.exchange, new Error('client closed'));
    await assert.rejects(queued.response, /client closed/);
    await queued.ended;
    pool.cancel(inFlight.exchange, new Error('total timeout'));
    await assert.rejects(inFlight.response, /total timeout/);
    await inFlight.ended;
    const silent = send(pool, REQUEST(), 50);
    await assert.rejects(silent.response, { code: 'TIMEOUT', message: 'timeout: first-byte' });
  });

  it('fails with a connect error when nothing listens', async () => {
    const server = await startServer(() => {});
    const url = server.url;
    await server.close();
    const pool = createPool(url);
    await assert.rejects(send(pool).response, { code: 'ECONNREFUSED' });
  });

  it('speaks TLS to an https upstream, verifying its certificate, and reuses the connection', async () => {
    const tlsDirectory = new URL('../../../test/support/tls/', import.meta.url);
    const cert = readFileSync(new URL('localhost-cert.pem', tlsDirectory), 'utf8');
    const key = readFileSync(new URL('localhost-key.pem', tlsDirectory), 'utf8');
    let connections = 0;
    const server = createHttpsServer({ cert, key }, (request, response) => {
      request.resume();
      request.on('end', () => response.end(`secure ${request.headers.host}`));
    });
    server.on('secureConnection', () => {
      connections += 1;
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    });
    const port = (server.address() as AddressInfo).port;
    const pool = createPool(new URL(`https://localhost:${port}/v1`), 4, cert);
    const host = `Host: localhost:${port}`;
    const message = REQUEST().replace('Host: test', host);
    assert.equal((await fetchText(pool, message)).text, `secure localhost:${port}`);
    assert.equal((await fetchText(pool, message)).text, `secure localhost:${port}`);
    assert.equal(connections, 1);
    // Without the test's authority the certificate is not trusted.
    const untrusting = createPool(new URL(`https://localhost:${port}/v1`));
    await assert.rejects(send(untrusting, message).response, { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});
