import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createSecureServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { type ForwardProxy, startForwardProxy } from '../../../test/support/forward-proxy.js';
import { type RawHttpServer, startRawHttpServer } from '../../../test/support/raw-http-server.js';
import { UpstreamError } from '../../errors/index.js';
import { UpstreamHttpClient } from './upstream-http-client.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const tlsDirectory = new URL('../../../test/support/tls/', import.meta.url);
const cert = readFileSync(new URL('localhost-cert.pem', tlsDirectory), 'utf8');
const key = readFileSync(new URL('localhost-key.pem', tlsDirectory), 'utf8');

let cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

async function startUpstream(): Promise<RawHttpServer> {
  const server = await startRawHttpServer((socket) => socket.write(OK));
  cleanups.push(server.close);
  return server;
}

async function startProxy(): Promise<ForwardProxy> {
  const proxy = await startForwardProxy();
  cleanups.push(proxy.close);
  return proxy;
}

/**
 * An HTTPS server with the test certificate that speaks HTTP/2 and HTTP/1.1 and answers each
 * request with the HTTP version it was made in.
 */
async function startSecureUpstream(): Promise<string> {
  const server = createSecureServer({ cert, key, allowHTTP1: true }, (request, response) => {
    request.resume();
    request.on('end', () => response.end(`HTTP/${request.httpVersion}`));
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => sessions.add(session));
  // HTTP/1.1 connections come as plain TLS sockets, not sessions.
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket) => sockets.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  });
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function createClient(
  origin: string,
  options: { env?: NodeJS.ProcessEnv; http2?: boolean; ca?: string } = {},
): UpstreamHttpClient {
  const client = new UpstreamHttpClient({
    modelName: 'cloud',
    baseUrl: `${origin}/v1`,
    timeouts: {
      connectMs: 1_000,
      firstByteMs: 2_000,
      idleMs: 2_000,
      totalMs: 5_000,
      maxResponseBytes: 1024 * 1024,
      maxEventBytes: 64 * 1024,
    },
    maxConnections: 4,
    ...options,
  });
  cleanups.push(() => client.close());
  return client;
}

async function fetchText(client: UpstreamHttpClient): Promise<string> {
  const response = await client.postJson({
    path: '/chat/completions',
    headers: {},
    body: { hello: 'world' },
    signal: new AbortController().signal,
  });
  return response.body.text();
}

describe('upstream proxies', () => {
  it('sends an http upstream call through HTTP_PROXY from the env it is given', async () => {
    const upstream = await startUpstream();
    const proxy = await startProxy();
    const client = createClient(upstream.url, { env: { HTTP_PROXY: proxy.url } });
    assert.equal(await fetchText(client), 'ok');
    assert.equal(upstream.requests.length, 1);
    // A CONNECT tunnel (what undici does) or an absolute-form request: either names the upstream.
    assert.equal(proxy.seen.length, 1);
    assert.match(
      proxy.seen[0] as string,
      new RegExp(`^(CONNECT |POST http://)127\\.0\\.0\\.1:${upstream.port}`),
    );
  });

  it('goes direct to a host listed in NO_PROXY, in either case of the names', async () => {
    const upstream = await startUpstream();
    const proxy = await startProxy();
    for (const env of [
      { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' },
      { http_proxy: proxy.url, no_proxy: `127.0.0.1:${upstream.port}` },
    ]) {
      assert.equal(await fetchText(createClient(upstream.url, { env })), 'ok');
    }
    assert.equal(upstream.requests.length, 2);
    assert.deepEqual(proxy.seen, []);
  });

  it('reads proxies from the env it is given, never from process.env', async () => {
    const upstream = await startUpstream();
    const proxy = await startProxy();
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = proxy.url;
    try {
      assert.equal(await fetchText(createClient(upstream.url, { env: {} })), 'ok');
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
    assert.deepEqual(proxy.seen, []);
  });

  it('tunnels to an https upstream through HTTPS_PROXY and still verifies its certificate', async () => {
    const origin = await startSecureUpstream();
    const proxy = await startProxy();
    const env = { https_proxy: proxy.url };
    assert.equal(await fetchText(createClient(origin, { env, ca: cert })), 'HTTP/1.1');
    assert.deepEqual(proxy.seen, [`CONNECT ${origin.slice('https://'.length)}`]);
    const error = await fetchText(createClient(origin, { env })).catch((caught: unknown) => caught);
    assert.ok(error instanceof UpstreamError && error.code === 'upstream_unreachable', String(error));
    assert.equal(((error as Error).cause as { code?: string }).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});

describe('upstream HTTP/2', () => {
  it('speaks HTTP/2 to an https upstream when http2 is on, and HTTP/1.1 when it is off', async () => {
    const origin = await startSecureUpstream();
    assert.equal(await fetchText(createClient(origin, { ca: cert, http2: true })), 'HTTP/2.0');
    assert.equal(await fetchText(createClient(origin, { ca: cert })), 'HTTP/1.1');
  });

  it('speaks HTTP/2 through a proxy tunnel too', async () => {
    const origin = await startSecureUpstream();
    const proxy = await startProxy();
    const client = createClient(origin, { ca: cert, http2: true, env: { HTTPS_PROXY: proxy.url } });
    assert.equal(await fetchText(client), 'HTTP/2.0');
    assert.equal(proxy.seen.length, 1);
  });
});
