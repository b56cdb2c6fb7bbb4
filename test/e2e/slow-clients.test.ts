import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sumMetric } from '../support/chat-client.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import {
  type GatewayProcess,
  readEventLoopDelay,
  startGatewayProcess,
} from '../support/start-gateway-process.js';

const SLOW_CLIENTS = 500;
const HEADERS_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 5_000;
const MEASURED = 150;
const BODY = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hello' }] });

/** Times `count` chat requests one after another over one keep-alive connection, in ms each. */
async function timeRequests(url: string, count: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        const outgoing = request(
          `${url}/v1/chat/completions`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        outgoing.on('error', reject);
        outgoing.end(BODY);
      });
      times.push(performance.now() - started);
      assert.equal(status, 200);
    }
  } finally {
    agent.destroy();
  }
  return times;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** A slowloris client: it sends a request's first bytes, then one more byte every `everyMs`. */
interface SlowClient {
  socket: Socket;
  /** Everything the gateway sent it, once the gateway closed the connection. */
  answer: Promise<string>;
}

function openSlowClient(port: number, kind: 'headers' | 'body'): SlowClient {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    kind === 'headers'
      ? 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: '
      : 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
  );
  let received = '';
  socket.on('data', (chunk) => {
    received += String(chunk);
  });
  return { socket, answer: new Promise((resolve) => socket.on('close', () => resolve(received))) };
}

describe('500 clients sending a byte at a time', () => {
  let upstream: FakeUpstream;
  let gateway: GatewayProcess;

  before(async () => {
    upstream = await FakeUpstream.start();
    gateway = await startGatewayProcess(`models:
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
routing: { default: cloud }
server: { headersTimeoutMs: ${HEADERS_TIMEOUT_MS}, requestTimeoutMs: ${REQUEST_TIMEOUT_MS} }
storage: { sqlite: { path: "{database}" } }
logging: { level: warn }
`);
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('get a 408 each, while normal requests keep at least half their speed', async (t) => {
    const port = Number(new URL(gateway.url).port);
    // Warm-up: the first requests compile code paths in both processes and open the upstream pool.
    await timeRequests(gateway.url, 200);
    const before = await timeRequests(gateway.url, MEASURED);
    await readEventLoopDelay(gateway.url);

    const slow = Array.from({ length: SLOW_CLIENTS }, (_, index) =>
      openSlowClient(port, index % 2 === 0 ? 'headers' : 'body'),
    );
    // Each client sends one more byte every 200 ms, spread over the interval.
    let turn = 0;
    const trickle = setInterval(() => {
      for (let index = turn % 20; index < slow.length; index += 20) {
        const { socket } = slow[index] as SlowClient;
        if (socket.writable) socket.write('a');
      }
      turn += 1;
    }, 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const during = await timeRequests(gateway.url, MEASURED);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const openDuring = sumMetric(metrics, 'switchyard_connections_open');
    const delay = await readEventLoopDelay(gateway.url);

    const answers = await Promise.all(slow.map((client) => client.answer));
    clearInterval(trickle);
    const after = await timeRequests(gateway.url, MEASURED);

    const baseline = median([...before, ...after]);
    const ratio = median(during) / baseline;
    t.diagnostic(
      `median latency ${baseline.toFixed(2)} ms without, ${median(during).toFixed(2)} ms with ${SLOW_CLIENTS} slow clients (×${ratio.toFixed(2)}); ${openDuring} connections open meanwhile; event-loop delay p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms`,
    );
    assert.ok(openDuring >= SLOW_CLIENTS, 'the slow clients were all connected while measured');
    assert.ok(ratio <= 2, `normal requests were ${ratio.toFixed(2)}× slower`);
    const timedOut = answers.filter((answer) =>
      /^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*"code":"request_timeout"/.test(answer),
    );
    assert.equal(timedOut.length, SLOW_CLIENTS);
  });
});
