import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

const LIMIT = 1_024;
const DISCARD_LIMIT = 64 * 1024;
const GOOD = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hi' }] });

function head(length: number): string {
  return `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
}

/** A raw client: what it received, and a promise of everything received once the server closes. */
function open(gateway: TestGateway): { socket: Socket; received: () => string; closed: Promise<string> } {
  const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
  socket.on('error', () => {});
  let text = '';
  socket.on('data', (chunk) => {
    text += String(chunk);
  });
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  return { socket, received: () => text, closed };
}

// Answers follow each other with no line break between: a body's end, then the next status line.
const statusLines = (text: string) => text.match(/HTTP\/1\.1 \d{3}/g) ?? [];

describe('the rest of a refused body', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      upstreams: ['cloud'],
      listen: true,
      config: (urls) => ({
        models: {
          cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
        },
        routing: { default: 'cloud' },
        server: { bodyLimitBytes: LIMIT, bodyDiscardLimitBytes: DISCARD_LIMIT, requestTimeoutMs: 500 },
        storage: { requestLog: 'off' },
      }),
    });
  });
  after(() => gateway.close());

  it('is read and dropped, and the same connection then serves the next request', async () => {
    const client = open(gateway);
    client.socket.write(head(10 * LIMIT) + 'x'.repeat(10 * LIMIT) + head(Buffer.byteLength(GOOD)) + GOOD);
    while (statusLines(client.received()).length < 2) await once(client.socket, 'data');
    assert.deepEqual(statusLines(client.received()), ['HTTP/1.1 413', 'HTTP/1.1 200']);
    client.socket.destroy();
  });

  it('closes the connection once more than bodyDiscardLimitBytes of it arrived', async () => {
    const client = open(gateway);
    const total = 100 * DISCARD_LIMIT;
    client.socket.write(head(total));
    let sent = 0;
    const piece = Buffer.alloc(16 * 1024, 'x');
    while (!client.socket.destroyed && sent < total) {
      if (!client.socket.write(piece)) {
        await Promise.race([once(client.socket, 'drain').catch(() => undefined), client.closed]);
      }
      sent += piece.length;
    }
    await client.closed;
    assert.ok(sent < total, 'the gateway stopped reading before the client finished');
  });

  it('gets no second answer when it then trickles past the request timeout', async () => {
    const client = open(gateway);
    client.socket.write(`${head(100 * LIMIT)}${'x'.repeat(2 * LIMIT)}`);
    const trickle = setInterval(() => client.socket.writable && client.socket.write('x'), 50);
    const received = await client.closed;
    clearInterval(trickle);
    assert.deepEqual(statusLines(received), ['HTTP/1.1 413']);
  });

  it('leaves the gateway serving', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: GOOD,
    });
    assert.equal(response.status, 200);
  });
});
