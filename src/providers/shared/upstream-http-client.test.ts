import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RawHttpServer, startRawHttpServer } from '../../../test/support/raw-http-server.js';
import type { TimeoutsConfig } from '../../config/index.js';
import { ClientClosedError, UpstreamError, UpstreamTimeoutError } from '../../errors/index.js';
import { UpstreamHttpClient } from './upstream-http-client.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}';
const CHUNKED_HEAD =
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
/** Generous limits; each test tightens the one it is about. */
const DEFAULT_TIMEOUTS: TimeoutsConfig = {
  connectMs: 1_000,
  firstByteMs: 1_000,
  idleMs: 1_000,
  totalMs: 5_000,
  maxResponseBytes: 1024 * 1024,
  maxEventBytes: 64 * 1024,
};
const tlsDirectory = new URL('../../../test/support/tls/', import.meta.url);
const cert = readFileSync(new URL('localhost-cert.pem', tlsDirectory), 'utf8');
const key = readFileSync(new URL('localhost-key.pem', tlsDirectory), 'utf8');

/** One chunk of a chunked body. */
const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

let cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  // Servers first (their sockets destroyed), so that no client waits on a silent one when it closes.
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function startServer(answer: Parameters<typeof startRawHttpServer>[0]): Promise<RawHttpServer> {
  const server = await startRawHttpServer(answer);
  cleanups.push(server.close);
  return server;
}

function createClient(
  baseUrl: string,
  options: { timeouts?: Partial<TimeoutsConfig>; ca?: string; maxConnections?: number } = {},
): UpstreamHttpClient {
  const client = new UpstreamHttpClient({
    modelName: 'cloud',
    baseUrl: `${baseUrl}/v1`,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    maxConnections: options.maxConnections ?? 4,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  cleanups.push(() => client.close());
  return client;
}

function post(client: UpstreamHttpClient, signal = new AbortController().signal) {
  return client.postJson({ path: '/chat/completions', headers: {}, body: { hello: 'world' }, signal });
}

/** The whole answer as text, an error while reading it converted as a provider would. */
async function fetchText(client: UpstreamHttpClient, signal?: AbortSignal): Promise<string> {
  const response = await post(client, signal);
  try {
    return await response.body.text();
  } catch (error) {
    throw response.convertError(error);
  }
}

/** What reading a streamed answer chunk by chunk ends with: its chunks and the converted error. */
async function readChunks(client: UpstreamHttpClient, onChunk?: (text: string) => void) {
  const response = await post(client);
  const chunks: string[] = [];
  try {
    for await (const piece of response.body) {
      chunks.push(Buffer.from(piece).toString());
      onChunk?.(chunks.at(-1) as string);
    }
    return { chunks, error: undefined };
  } catch (error) {
    return { chunks, error: response.convertError(error) };
  }
}

const isUnreachable = (error: unknown) =>
  error instanceof UpstreamError &&
  error.code === 'upstream_unreachable' &&
  error.status === 502 &&
  error.isRetryable;

/** undici hands a connection back on the turn after its response ends. */
const nextTurn = () => sleep(20);

describe('UpstreamHttpClient', () => {
  it('posts JSON with the caller headers, never its framing ones, and reads an answer cut into pieces', async () => {
    const server = await startServer(async (socket) => {
      for (const part of ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 11\r\n\r\n{"ok":', 'true}']) {
        socket.write(part);
        await sleep(10);
      }
    });
    const client = createClient(server.url);
    const response = await client.postJson({
      path: '/chat/completions',
      headers: { Authorization: 'Bearer k', Connection: 'close', 'Content-Length': '1', Host: 'evil' },
      body: { hello: 'world' },
      signal: new AbortController().signal,
    });
    assert.deepEqual(await response.body.json(), { ok: true });
    const [head, body] = (server.requests[0] as string).split('\r\n\r\n') as [string, string];
    assert.match(head, /^POST \/v1\/chat\/completions HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nauthorization: Bearer k\r\n/i);
    assert.match(head, /\r\ncontent-type: application\/json\r\n/i);
    assert.match(head, new RegExp(`\\r\\nhost: 127\\.0\\.0\\.1:${server.port}\\r\\n`, 'i'));
    assert.doesNotMatch(head, /evil|connection: close|content-length: 1\r/i);
    assert.equal(body, '{"hello":"world"}');
  });

  it('reuses a connection only after a clean end', async () => {
    const server = await startServer((socket, _request, index) => {
      if (index === 1) socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      else if (index === 3) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
      else socket.write(OK);
    });
    const client = createClient(server.url);
    const connectionsAfterEachCall: number[] = [];
    for (let call = 0; call < 5; call += 1) {
      await fetchText(client).catch((error: unknown) => assert.ok(isUnreachable(error), String(error)));
      connectionsAfterEachCall.push(server.connections());
      await nextTurn();
    }
    // Call 2 was answered with `Connection: close`, call 4 was cut short: each took its connection with it.
    assert.deepEqual(connectionsAfterEachCall, [1, 1, 2, 2, 3]);
  });

  it('turns a body cut short into a retryable unreachable error', async () => {
    const server = await startServer((socket) => socket.end(`${CHUNKED_HEAD}${chunk('data: {"a":1}\n\n')}`));
    const { chunks, error } = await readChunks(createClient(server.url));
    assert.deepEqual(chunks, ['data: {"a":1}\n\n']);
    assert.ok(isUnreachable(error), String(error));
  });

  it('refuses garbage instead of HTTP', async () => {
    const server = await startServer((socket) =>
      socket.write('\u0000\u00ff garbage \u0001\r\n\r\n', 'latin1'),
    );
    await assert.rejects(fetchText(createClient(server.url)), isUnreachable);
  });

  it('turns a connection reset before the answer into a retryable unreachable error', async () => {
    const server = await startServer((socket) => socket.resetAndDestroy());
    await assert.rejects(fetchText(createClient(server.url)), isUnreachable);
  });

  it('fails with a retryable unreachable error when nothing listens', async () => {
    const server = await startRawHttpServer(() => {});
    await server.close();
    await assert.rejects(fetchText(createClient(server.url)), isUnreachable);
  });

  it('refuses a response with both Transfer-Encoding and Content-Length, and drops its connection', async () => {
    const server = await startServer((socket, _request, index) =>
      socket.write(
        index === 0
          ? `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n${chunk('smuggled')}0\r\n\r\n`
          : OK,
      ),
    );
    const client = createClient(server.url);
    await assert.rejects(fetchText(client), isUnreachable);
    await nextTurn();
    assert.equal(await fetchText(client), '{"ok":true}');
    assert.equal(server.connections(), 2);
  });

  it('never takes bytes sent after a response for the next answer', async () => {
    const server = await startServer((socket, _request, index) =>
      socket.write(index === 0 ? `${OK}HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale` : OK),
    );
    const client = createClient(server.url);
    for (let call = 0; call < 3; call += 1) {
      assert.equal(await fetchText(client), '{"ok":true}');
      await nextTurn();
    }
    assert.equal(server.connections(), 2);
  });

  it('reads past a reader that stopped at the last event, so the connection is kept', async () => {
    const server = await startServer(async (socket) => {
      socket.write(`${CHUNKED_HEAD}${chunk('data: [DONE]\n\n')}`);
      // The chunk that ends the body comes a packet later, as it often does after [DONE].
      await sleep(30);
      socket.write('0\r\n\r\n');
    });
    const client = createClient(server.url);
    for (let call = 0; call < 3; call += 1) {
      const response = await post(client);
      for await (const piece of response.body) {
        assert.match(Buffer.from(piece).toString(), /\[DONE\]/);
        break;
      }
      await sleep(80);
    }
    assert.equal(server.connections(), 1);
  });

  it('closes the connection of a reader that stopped early when the rest of the body does not come', async () => {
    const server = await startServer((socket, _request, index) =>
      socket.write(index === 0 ? `${CHUNKED_HEAD}${chunk('one')}` : OK),
    );
    const client = createClient(server.url);
    const response = await post(client);
    for await (const piece of response.body) {
      assert.equal(Buffer.from(piece).toString(), 'one');
      break;
    }
    assert.equal(await fetchText(client), '{"ok":true}');
    assert.equal(server.connections(), 2);
    await sleep(1_200);
    assert.equal(server.closedConnections(), 1);
  });

  it('speaks TLS, verifies the certificate, and keeps the connection', async () => {
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
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createClient(origin, { ca: cert });
    assert.equal(await fetchText(client), `secure ${origin.slice('https://'.length)}`);
    await nextTurn();
    assert.equal(await fetchText(client), `secure ${origin.slice('https://'.length)}`);
    assert.equal(connections, 1);
    // Without the test's authority, the self-signed certificate is refused.
    const error = await fetchText(createClient(origin)).catch((caught: unknown) => caught);
    assert.ok(isUnreachable(error), String(error));
    assert.equal(((error as Error).cause as { code?: string }).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  describe('timeouts', () => {
    it('times out the connect phase (TCP and TLS)', async () => {
      // Accepts TCP but never answers the TLS handshake.
      const sockets: Socket[] = [];
      const server = createTcpServer((socket) => sockets.push(socket));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      cleanups.push(async () => {
        for (const socket of sockets) socket.destroy();
        server.close();
        await once(server, 'close');
      });
      const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = createClient(origin, { timeouts: { connectMs: 100 } });
      const error = await fetchText(client).catch((caught: unknown) => caught);
      assert.ok(error instanceof UpstreamTimeoutError, String(error));
      assert.equal(error.phase, 'connect');
    });

    it('times out an upstream that does not start answering', async () => {
      const server = await startServer(() => {});
      const client = createClient(server.url, { timeouts: { firstByteMs: 100 } });
      const error = await fetchText(client).catch((caught: unknown) => caught);
      assert.ok(error instanceof UpstreamTimeoutError, String(error));
      assert.equal(error.phase, 'first-byte');
    });

    it('times out a stream that goes silent between chunks', async () => {
      const server = await startServer((socket) => socket.write(`${CHUNKED_HEAD}${chunk('first')}`));
      const { chunks, error } = await readChunks(createClient(server.url, { timeouts: { idleMs: 100 } }));
      assert.deepEqual(chunks, ['first']);
      assert.ok(error instanceof UpstreamTimeoutError, String(error));
      assert.equal(error.phase, 'idle');
    });

    it('ends a call that streams past its total time, however steadily', async () => {
      const server = await startServer(async (socket) => {
        socket.write(CHUNKED_HEAD);
        while (!socket.destroyed) {
          socket.write(chunk('tick'));
          await sleep(20);
        }
      });
      const started = performance.now();
      const client = createClient(server.url, { timeouts: { firstByteMs: 1_000, totalMs: 200 } });
      const { chunks, error } = await readChunks(client);
      assert.ok(chunks.length > 2);
      assert.ok(error instanceof UpstreamTimeoutError, String(error));
      assert.equal(error.phase, 'total');
      assert.ok(performance.now() - started < 900);
    });

    it('bounds the wait for the head by the total time too', async () => {
      const server = await startServer(() => {});
      const client = createClient(server.url, { timeouts: { firstByteMs: 1_000, totalMs: 100 } });
      const error = await fetchText(client).catch((caught: unknown) => caught);
      assert.ok(error instanceof UpstreamTimeoutError, String(error));
      assert.equal(error.phase, 'total');
    });
  });

  describe('size limits', () => {
    const isTooLarge = (code: string) => (error: unknown) =>
      error instanceof UpstreamError && error.code === code && error.status === 502 && error.isRetryable;

    it('refuses an answer whose Content-Length is over maxResponseBytes before reading it', async () => {
      const server = await startServer((socket) =>
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n'),
      );
      const client = createClient(server.url, { timeouts: { maxResponseBytes: 1_000 } });
      await assert.rejects(fetchText(client), isTooLarge('upstream_response_too_large'));
    });

    it('ends a chunked answer once it grows past maxResponseBytes, and its connection', async () => {
      const server = await startServer(async (socket) => {
        socket.write(CHUNKED_HEAD);
        while (!socket.destroyed) {
          socket.write(chunk('x'.repeat(500)));
          await sleep(1);
        }
      });
      const client = createClient(server.url, { timeouts: { maxResponseBytes: 4_000 } });
      const { chunks, error } = await readChunks(client);
      assert.ok(isTooLarge('upstream_response_too_large')(error), String(error));
      assert.ok(chunks.join('').length <= 4_000);
      await sleep(50);
      assert.ok(server.closedConnections() >= 1, 'the connection was not kept for reuse');
    });

    it('ends a stream whose one line grows past maxEventBytes, in whatever pieces it comes', async () => {
      const server = await startServer(async (socket) => {
        socket.write(`${CHUNKED_HEAD}${chunk('data: {"ok":1}\n\ndata: "')}`);
        while (!socket.destroyed) {
          socket.write(chunk('y'.repeat(100)));
          await sleep(1);
        }
      });
      const client = createClient(server.url, { timeouts: { maxEventBytes: 1_000 } });
      const { chunks, error } = await readChunks(client);
      assert.ok(isTooLarge('upstream_event_too_large')(error), String(error));
      assert.match(chunks.join(''), /^data: \{"ok":1\}\n\n/);
    });

    it('measures each line of a chunk longer than maxEventBytes', async () => {
      const lines = (length: number) => `data: ${'z'.repeat(length)}\r\n\r\n`;
      const server = await startServer((socket, _request, index) =>
        socket.end(
          `${CHUNKED_HEAD}${chunk(lines(90).repeat(20) + (index === 0 ? '' : lines(200)))}0\r\n\r\n`,
        ),
      );
      const client = createClient(server.url, { timeouts: { maxEventBytes: 100 } });
      const { error } = await readChunks(client);
      assert.equal(error, undefined, 'many lines under the limit pass, however long the chunk');
      await assert.rejects(fetchText(client), isTooLarge('upstream_event_too_large'));
    });
  });

  describe('cancellation', () => {
    it('stops a body mid-stream when the client leaves, and closes its connection', async () => {
      const server = await startServer((socket) => socket.write(`${CHUNKED_HEAD}${chunk('first')}`));
      const controller = new AbortController();
      const response = await post(createClient(server.url), controller.signal);
      const error = await (async () => {
        for await (const _ of response.body) controller.abort();
      })().catch((caught: unknown) => response.convertError(caught));
      assert.ok(error instanceof ClientClosedError, String(error));
      await sleep(50);
      // undici may open a fresh connection in its place, which carries nothing.
      assert.ok(server.closedConnections() >= 1);
      assert.equal(server.requests.length, 1);
    });

    it('stops a call waiting for its answer when the client leaves', async () => {
      const server = await startServer(() => {});
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(fetchText(createClient(server.url), controller.signal), ClientClosedError);
    });

    it('sends nothing for a client that already left', async () => {
      const server = await startServer(() => {});
      await assert.rejects(fetchText(createClient(server.url), AbortSignal.abort()), ClientClosedError);
      await nextTurn();
      assert.equal(server.connections(), 0);
    });
  });

  it('keeps a 429 with its Retry-After, and the connection after it', async () => {
    const body = '{"error":{"message":"slow down"}}';
    const server = await startServer((socket, _request, index) =>
      socket.write(
        index === 0
          ? `HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: ${body.length}\r\n\r\n${body}`
          : OK,
      ),
    );
    const client = createClient(server.url);
    const error = await fetchText(client).catch((caught: unknown) => caught);
    assert.ok(error instanceof UpstreamError, String(error));
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSeconds, 7);
    assert.match(error.message, /slow down/);
    await nextTurn();
    assert.equal(await fetchText(client), '{"ok":true}');
    assert.equal(server.connections(), 1);
  });
});
