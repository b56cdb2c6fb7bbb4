import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import type { FakeUpstream } from '../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

function countOpenFds(): number {
  return readdirSync('/proc/self/fd').length;
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 150));
}

async function startGateway(requestTimeoutMs = 30_000): Promise<TestGateway> {
  return startTestGateway({
    upstreams: ['cloud'],
    listen: true,
    config: (urls) => ({
      models: {
        cloud: {
          provider: 'openai-compatible',
          baseUrl: urls.cloud as string,
          model: 'gpt-4o-mini',
          timeouts: { connectMs: 500, firstByteMs: 300, totalMs: 2_000 },
        },
      },
      routing: {
        default: 'cloud',
        retries: { maxRetries: 0 },
        circuitBreaker: { failureThreshold: 1_000, cooldownMs: 1_000 },
      },
      server: { requestTimeoutMs },
      storage: { requestLog: 'off' },
    }),
  });
}

async function ask(gateway: TestGateway, body: Record<string, unknown> = {}) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hi' }], ...body }),
  });
  return {
    status: response.status,
    text: await response.text(),
    contentType: response.headers.get('content-type') ?? '',
  };
}

describe('reliability under hostile clients and upstreams', () => {
  let gateway: TestGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('answers slowloris headers and trickled bodies with a 408 while serving everyone else', async () => {
    const baseline = countOpenFds();
    gateway = await startGateway(300);
    const port = Number(new URL(gateway.url).port);
    /** A client that reads what it is sent, until its connection closes. */
    const slowClient = (firstBytes: string) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(firstBytes);
      let received = '';
      socket.on('data', (chunk) => {
        received += String(chunk);
      });
      return {
        socket,
        answer: new Promise<string>((resolve) => socket.on('close', () => resolve(received))),
      };
    };
    const slowHeaders = slowClient('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
    const slowBody = slowClient(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"mo',
    );
    const trickle = setInterval(() => slowBody.socket.writable && slowBody.socket.write(' '), 50);
    // Meanwhile others are served.
    for (let index = 0; index < 5; index += 1) assert.equal((await ask(gateway)).status, 200);
    const answers = await Promise.all([slowHeaders.answer, slowBody.answer]);
    clearInterval(trickle);
    for (const answer of answers)
      assert.match(answer, /^HTTP\/1\.1 408 Request Timeout[\s\S]*"code":"request_timeout"/);
    await gateway.close();
    gateway = undefined;
    await settle();
    assert.ok(countOpenFds() <= baseline + 1, `fds ${countOpenFds()} vs ${baseline}`);
  });

  it('answers well-formed errors to upstream resets, hangs, garbage, huge bodies and cut streams under load, then keeps serving', async () => {
    const baseline = countOpenFds();
    gateway = await startGateway();
    const upstream = gateway.upstreams.cloud as FakeUpstream;
    const huge = JSON.stringify({ choices: [{ message: { content: 'x'.repeat(2_000_000) } }] });
    const faults = [
      { destroy: true },
      { delayMs: 2_000 },
      { raw: '\u0000\u00ff garbage \u0001', headers: { 'content-type': 'application/json' } },
      { raw: huge, headers: { 'content-type': 'application/json' } },
      { sse: ['{"choices":[{"index":0,"delta":{"content":"cut"}}]}'] },
      { status: 500, raw: '<html>oops</html>', headers: { 'content-type': 'text/html' } },
    ];
    const requests = [];
    for (let round = 0; round < 5; round += 1) {
      for (const fault of faults) {
        upstream.replyWith(fault);
        requests.push(ask(gateway, fault.sse ? { stream: true } : {}));
      }
    }
    const answers = await Promise.all(requests);
    for (const answer of answers) {
      if (answer.status === 200) {
        // A huge answer is still an answer; a cut stream ends with an error event.
        assert.ok(
          answer.text.includes('"choices"') || answer.text.includes('data: {"error"'),
          answer.text.slice(0, 200),
        );
      } else {
        assert.ok(answer.status >= 400 && answer.status < 600);
        const body = JSON.parse(answer.text) as { error: { message: string; type: string; code: string } };
        assert.equal(typeof body.error.code, 'string', answer.text.slice(0, 300));
      }
    }
    assert.ok(
      answers.some((answer) => answer.status === 502) && answers.some((answer) => answer.status === 504),
    );
    assert.equal((await ask(gateway)).status, 200, 'still serving');
    await gateway.close();
    gateway = undefined;
    await settle();
    assert.ok(countOpenFds() <= baseline + 1, `fds ${countOpenFds()} vs ${baseline}`);
  });
});
