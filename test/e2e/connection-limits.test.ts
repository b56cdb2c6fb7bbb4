import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sumMetric } from '../support/chat-client.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import {
  countFds,
  type GatewayProcess,
  readRssMb,
  startGatewayProcess,
} from '../support/start-gateway-process.js';

const IDLE = 5_000;
const MAX_CONNECTIONS = IDLE + 100;
const EXTRA = 20;
const KEEP_ALIVE_MS = 1_500;

/** Opens `count` TCP connections, a batch at a time (the listen backlog is finite), and waits for them. */
async function openConnections(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let start = 0; start < count; start += 250) {
    const batch = Array.from({ length: Math.min(250, count - start) }, () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      sockets.push(socket);
      return once(socket, 'connect');
    });
    await Promise.all(batch);
  }
  return sockets;
}

/** Polls until `read()` returns at most `target`, or gives up after `ms`; returns the last value. */
async function waitForAtMost(read: () => number, target: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let value = read();
  while (value > target && Date.now() < deadline) {
    await sleep(50);
    value = read();
  }
  return value;
}

describe('many client connections', () => {
  let upstream: FakeUpstream;
  let gateway: GatewayProcess;
  let port: number;

  before(async () => {
    upstream = await FakeUpstream.start();
    gateway = await startGatewayProcess(`models:
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
routing: { default: cloud }
server:
  maxConnections: ${MAX_CONNECTIONS}
  keepAliveTimeoutMs: ${KEEP_ALIVE_MS}
  headersTimeoutMs: 30000
  requestTimeoutMs: 30000
storage: { requestLog: off }
logging: { level: warn }
`);
    port = Number(new URL(gateway.url).port);
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('closes an idle keep-alive connection after server.keepAliveTimeoutMs', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    let received = '';
    socket.on('data', (chunk) => {
      received += String(chunk);
    });
    await once(socket, 'connect');
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!received.includes('\r\n\r\n')) await once(socket, 'data');
    const answeredAt = performance.now();
    await once(socket, 'close');
    assert.match(received, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Keep-Alive: timeout=1\r\n/);
    assert.ok(performance.now() - answeredAt >= KEEP_ALIVE_MS - 100, 'not closed before its time');
  });

  it('refuses connections past server.maxConnections at once, counts them, and keeps serving', async (t) => {
    const fdsBefore = countFds(gateway.pid);
    const rssBefore = readRssMb(gateway.pid);
    const idle = await openConnections(port, MAX_CONNECTIONS);
    // Some idle connections carried a request first: keep-alive ones, not only silent ones.
    for (const socket of idle.slice(0, 200)) socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitForAtMost(() => -countFds(gateway.pid), -(fdsBefore + MAX_CONNECTIONS), 10_000);
    const fdsOpen = countFds(gateway.pid);
    const rssOpen = readRssMb(gateway.pid);

    const extra = await openConnections(port, EXTRA);
    const refused = await Promise.all(
      extra.map(async (socket) => {
        let bytes = 0;
        socket.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        await once(socket, 'close');
        return bytes;
      }),
    );
    assert.deepEqual(refused, new Array(EXTRA).fill(0), 'closed without an answer');
    assert.ok(
      idle.every((socket) => !socket.destroyed),
      'the open ones were left alone',
    );

    for (const socket of idle) socket.destroy();
    const fdsAfter = await waitForAtMost(() => countFds(gateway.pid), fdsBefore, 10_000);
    t.diagnostic(
      `descriptors ${fdsBefore} → ${fdsOpen} with ${MAX_CONNECTIONS} open → ${fdsAfter} after they left; RSS ${rssBefore} → ${rssOpen} MB`,
    );
    assert.ok(fdsOpen >= fdsBefore + MAX_CONNECTIONS);
    assert.equal(fdsAfter, fdsBefore);

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.equal(sumMetric(metrics, 'switchyard_connections_refused_total'), EXTRA);
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    assert.equal(response.status, 200);
  });
});
