import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type HostileUpstream, startHostileUpstream } from '../support/hostile-upstream.js';
import {
  type GatewayProcess,
  readEventLoopDelay,
  readRssMb,
  startGatewayProcess,
} from '../support/start-gateway-process.js';

const STALLED = 20;
const WRITE_TIMEOUT_MS = 1_000;

/** Sends a streaming chat request, then reads nothing: the gateway's writes back up. */
async function openStalledStream(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.pause();
  const body = JSON.stringify({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Talk' }] });
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return socket;
}

describe('a streaming client that stops reading', () => {
  let upstream: HostileUpstream;
  let gateway: GatewayProcess;

  before(async () => {
    upstream = await startHostileUpstream();
    gateway = await startGatewayProcess(`models:
  endless: { provider: openai-compatible, baseUrl: "${upstream.baseUrl}", model: endless }
routing: { default: endless }
server: { streamWriteTimeoutMs: ${WRITE_TIMEOUT_MS} }
storage: { sqlite: { path: "{database}" }, flushIntervalMs: 50 }
logging: { level: warn }
`);
    await readEventLoopDelay(gateway.url);
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('has its stream ended and its upstream call cancelled, is logged once as 408, in bounded memory', async (t) => {
    const port = Number(new URL(gateway.url).port);
    const rssBefore = readRssMb(gateway.pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, readRssMb(gateway.pid));
    }, 20);
    const clients = await Promise.all(Array.from({ length: STALLED }, () => openStalledStream(port)));
    while (upstream.requests.length < STALLED) await new Promise((resolve) => setTimeout(resolve, 20));
    const ended = await Promise.all(upstream.requests.map((request) => request.ended));
    clearInterval(sampler);
    // The clients read again: what the gateway had sent each, then the end of a cut stream.
    const received = await Promise.all(
      clients.map((socket) => {
        let text = '';
        socket.on('data', (chunk) => {
          text += String(chunk);
        });
        socket.resume();
        return new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
      }),
    );
    const delay = await readEventLoopDelay(gateway.url);
    const sent = upstream.requests.map((request) => request.bytesSent);
    t.diagnostic(
      `RSS ${rssBefore} MB before, ${rssPeak} MB at most with ${STALLED} stalled streams; the upstream got ${Math.min(...sent)}–${Math.max(...sent)} bytes each through before the gateway stopped reading; event-loop delay p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms`,
    );
    for (const text of received) {
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.doesNotMatch(text, /\[DONE\]/, 'the stream was cut, not finished');
    }
    assert.deepEqual(
      ended.map((end) => end.aborted),
      new Array(STALLED).fill(true),
      'every endless upstream call was cancelled',
    );

    // Still serving: a client that reads gets its stream (the endless one, cut short by leaving).
    const reader = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const body = reader.body?.getReader();
    const first = await body?.read();
    assert.match(new TextDecoder().decode(first?.value), /"role":"assistant"/);
    await body?.cancel();

    assert.equal(await gateway.stop(), 0);
    const rows = new Database(gateway.database, { readonly: true });
    const outcomes = rows
      .prepare('SELECT status, error_code AS code, count(*) AS n FROM requests GROUP BY 1, 2 ORDER BY 1')
      .all();
    const attempts = rows.prepare('SELECT status, count(*) AS n FROM attempts GROUP BY 1').all();
    rows.close();
    assert.deepEqual(outcomes, [
      { status: 408, code: 'stream_write_timeout', n: STALLED },
      { status: 499, code: 'client_closed', n: 1 },
    ]);
    // Cancelled by the gateway, not failed: the target's circuit breaker heard nothing against it.
    assert.deepEqual(attempts, [{ status: 'aborted', n: STALLED + 1 }]);
  });
});
