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

  it('cuts off slowloris headers and trickled bodies by timeouts while serving everyone else', async () => {
    const baseline = countOpenFds();
    gateway = await startGateway(300);
    const port = Number(new URL(gateway.url).port);
    const started = performance.now();
    const closedAfter = (socket: ReturnType<typeof connect>) =>
      new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now() - started)));
    const slowHeaders = connect(port, '127.0.0.1');
    slowHeaders.on('error', () => {});
    slowHeaders.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
    const slowBody = connect(port, '127.0.0.1');
    slowBody.on('error', () => {});
    slowBody.write(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"mo',
    );
    const trickle = setInterval(() => slowBody.writable && slowBody.write(' '), 50);
    const closes = [closedAfter(slowHeaders), closedAfter(slowBody)];
    const slowReplies: string[] = [];
    slowBody.on('data', (chunk) => slowReplies.push(String(chunk)));
    // Meanwhile others are served, quickly.
    for (let index = 0; index < 5; index += 1) assert.equal((await ask(gateway)).status, 200);
    assert.ok(performance.now() - started < 250, 'other clients were not held up');
    const [headersClosed, bodyClosed] = await Promise.all(closes);
    assert.match(slowReplies.join(''), /408 Request Timeout[\s\S]*"code":"request_timeout"/);
    clearInterval(trickle);
    assert.ok(
      (headersClosed as number) < 1_500 && (bodyClosed as number) < 1_500,
      `${headersClosed} ${bodyClosed}`,
    );
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
    console.error('STEP-ASKED');
    const answers = await Promise.all(requests);
    console.error('STEP-ANSWERED');
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
    console.error('STEP-CHECKED');
    assert.equal((await ask(gateway)).status, 200, 'still serving');
    console.error('STEP-SERVING');
    await gateway.close();
    gateway = undefined;
    await settle();
    assert.ok(countOpenFds() <= baseline + 1, `fds ${countOpenFds()} vs ${baseline}`);
  });
});
