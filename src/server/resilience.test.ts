import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { afterEach, describe, it } from 'node:test';
import type { FakeUpstream } from '../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

const failure = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers,
  json: { error: { message: `scripted ${status}`, type: 'server_error' } },
});

/** Three HTTP targets on loopback fakes: `a` falls back to `b`, then to `c`. */
async function startGateway(overrides: { maxRetries?: number; failureThreshold?: number } = {}) {
  return startTestGateway({
    upstreams: ['a', 'b', 'c'],
    listen: true,
    config: (urls) => ({
      models: {
        a: {
          provider: 'openai-compatible',
          baseUrl: urls.a as string,
          model: 'gpt-4o-mini',
          timeouts: { connectMs: 1_000, firstByteMs: 300, totalMs: 5_000 },
        },
        b: { provider: 'openai-compatible', baseUrl: urls.b as string, model: 'gpt-4o' },
        c: { provider: 'openai-compatible', baseUrl: urls.c as string, model: 'qwen', local: true },
      },
      routing: {
        default: 'a',
        fallbacks: { a: ['b', 'c'] },
        retries: {
          maxRetries: overrides.maxRetries ?? 1,
          initialBackoffMs: 10,
          maxBackoffMs: 20,
          maxRetryAfterMs: 2_000,
        },
        circuitBreaker: { failureThreshold: overrides.failureThreshold ?? 5, cooldownMs: 400 },
      },
      storage: { requestLog: 'off' },
    }),
  });
}

async function ask(gateway: TestGateway, body: Record<string, unknown> = {}) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hello there' }], ...body }),
  });
  const text = await response.text();
  const parsed: any = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  return { response, body: parsed };
}

const roleChunk = () =>
  JSON.stringify({
    id: 'x',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
  });
const contentChunk = (content: string) =>
  JSON.stringify({
    id: 'x',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });

/** `upstream` answers role chunk, then `content` only once the returned function is called. */
function holdAfterRoleChunk(upstream: FakeUpstream, content: string): () => void {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  upstream.replyWith({ sse: [roleChunk(), contentChunk(content), '[DONE]'], holdAfterFirstEvent: held });
  return () => release();
}

/** A streamed request over node:http, resolved at the response headers (fetch hides trailers). */
function streamRequest(gateway: TestGateway): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${gateway.url}/v1/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      resolve,
    );
    outgoing.on('error', reject);
    outgoing.end(
      JSON.stringify({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Hello there' }] }),
    );
  });
}

async function readToEnd(
  response: IncomingMessage,
): Promise<{ body: string; trailers: NodeJS.Dict<string> }> {
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return { body, trailers: response.trailers };
}

function upstream(gateway: TestGateway, name: string): FakeUpstream {
  return gateway.upstreams[name] as FakeUpstream;
}

describe('retries, fallbacks and circuit breakers over loopback', () => {
  let gateway: TestGateway;
  afterEach(() => gateway.close());

  it('retries a 503 on the same target and serves the retry’s answer', async () => {
    gateway = await startGateway();
    upstream(gateway, 'a').replyWith(failure(503));
    const { response, body } = await ask(gateway);
    assert.equal(response.status, 200);
    assert.equal(body.choices[0].message.content, 'Hello from the fake upstream.');
    assert.equal(response.headers.get('x-switchyard-route'), 'a');
    assert.equal(upstream(gateway, 'a').requests.length, 2);
    assert.equal(upstream(gateway, 'b').requests.length, 0);
  });

  it('waits out a short Retry-After on a 429 before retrying', async () => {
    gateway = await startGateway();
    upstream(gateway, 'a').replyWith(failure(429, { 'retry-after': '1' }));
    const { response } = await ask(gateway);
    assert.equal(response.status, 200);
    const [first, second] = upstream(gateway, 'a').requests;
    assert.ok(first && second);
    // Timers may fire late, never early (a little slack for clock granularity).
    assert.ok(
      second.receivedAt - first.receivedAt >= 990,
      `waited ${second.receivedAt - first.receivedAt} ms`,
    );
    assert.equal(upstream(gateway, 'b').requests.length, 0);
  });

  it('moves straight to the fallback when Retry-After is longer than it is willing to wait', async () => {
    gateway = await startGateway();
    upstream(gateway, 'a').replyWith(failure(429, { 'retry-after': '60' }));
    const { response } = await ask(gateway);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'b');
    assert.match(String(response.headers.get('x-switchyard-route-reason')), /Fell back from a to b/);
    assert.equal(upstream(gateway, 'a').requests.length, 1);
  });

  it('gives up on a target that hangs past its first-byte timeout and falls back', async () => {
    gateway = await startGateway();
    upstream(gateway, 'a').replyWith({ delayMs: 2_000 }, { delayMs: 2_000 });
    const { response } = await ask(gateway);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'b');
    assert.equal(upstream(gateway, 'a').requests.length, 2);
  });

  it('falls back when the upstream resets the connection', async () => {
    gateway = await startGateway();
    upstream(gateway, 'a').replyWith({ destroy: true }, { destroy: true });
    const { response } = await ask(gateway);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'b');
  });

  it('treats a 200 with a body that is not JSON as a failure and falls back', async () => {
    gateway = await startGateway({ maxRetries: 0 });
    upstream(gateway, 'a').replyWith({
      raw: '<html>bad gateway</html>',
      headers: { 'content-type': 'application/json' },
    });
    const { response } = await ask(gateway);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'b');
  });

  it('tries the fallbacks in their configured order', async () => {
    gateway = await startGateway({ maxRetries: 0 });
    upstream(gateway, 'a').replyWith(failure(500));
    upstream(gateway, 'b').replyWith(failure(502));
    const { response } = await ask(gateway);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'c');
    const times = ['a', 'b', 'c'].map(
      (name) => upstream(gateway, name).requests[0]?.receivedAt ?? Number.NaN,
    );
    assert.ok((times[0] as number) < (times[1] as number) && (times[1] as number) < (times[2] as number));
  });

  it('returns one error listing every attempt when every target fails', async () => {
    gateway = await startGateway({ maxRetries: 0 });
    upstream(gateway, 'a').replyWith(failure(503));
    upstream(gateway, 'b').replyWith(failure(500));
    upstream(gateway, 'c').replyWith({ destroy: true });
    const { response, body } = await ask(gateway);
    assert.equal(response.status, 502);
    assert.equal(body.error.code, 'all_targets_failed');
    assert.match(body.error.message, /3 attempts\): a: .*503.*; b: .*500.*; c: /);
  });

  it('keeps a client’s own mistake (a 400 from the upstream) without retrying or falling back', async () => {
    gateway = await startGateway();
    upstream(gateway, 'a').replyWith({
      status: 400,
      json: { error: { message: 'bad tool schema', type: 'invalid_request_error', param: 'tools' } },
    });
    const { response, body } = await ask(gateway);
    assert.equal(response.status, 400);
    assert.match(body.error.message, /bad tool schema/);
    assert.equal(upstream(gateway, 'a').requests.length, 1);
    assert.equal(upstream(gateway, 'b').requests.length, 0);
  });

  it('falls back for a stream that fails before its first byte', async () => {
    gateway = await startGateway({ maxRetries: 0 });
    upstream(gateway, 'a').replyWith(failure(503));
    const { response, body } = await ask(gateway, { stream: true });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'b');
    assert.match(body, /Hello/);
    assert.match(body, /data: \[DONE\]/);
  });

  it('commits a stream (200, headers, role chunk) when the upstream accepts, before its first token', async () => {
    gateway = await startGateway();
    const release = holdAfterRoleChunk(upstream(gateway, 'a'), 'Once');
    const response = await Promise.race([
      streamRequest(gateway),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no response while the first token was held')), 3_000),
      ),
    ]);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-switchyard-route'], 'a');
    const opening = String(await once(response, 'data'));
    assert.match(opening, /"role":"assistant"/, 'the role chunk arrives before any token');
    release();
    const { body, trailers } = await readToEnd(response);
    assert.match(body, /Once/);
    assert.match(body, /data: \[DONE\]/);
    assert.equal(trailers['x-switchyard-model'], 'a');
  });

  it('falls back inside an accepted stream when the upstream fails before its first token', async () => {
    gateway = await startGateway({ maxRetries: 0 });
    upstream(gateway, 'a').replyWith({ sse: [roleChunk()], destroyAfterSse: true });
    const response = await streamRequest(gateway);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-switchyard-route'], 'a', 'headers name the target that accepted');
    const { body, trailers } = await readToEnd(response);
    const events = body.split('\n\n').filter(Boolean);
    assert.equal(events.filter((event) => event.includes('"role":"assistant"')).length, 1);
    assert.match(body, /Hello/);
    assert.equal(events.at(-1), 'data: [DONE]');
    assert.equal(trailers['x-switchyard-model'], 'b', 'the trailer names the model that answered');
    assert.equal(upstream(gateway, 'a').requests.length, 1);
    assert.equal(upstream(gateway, 'b').requests.length, 1);
  });

  it('ends an accepted stream with one error event when every target fails before answering', async () => {
    gateway = await startGateway({ maxRetries: 0 });
    for (const name of ['a', 'b', 'c']) {
      upstream(gateway, name).replyWith({ sse: [roleChunk()], destroyAfterSse: true });
    }
    const response = await streamRequest(gateway);
    assert.equal(response.statusCode, 200);
    const { body } = await readToEnd(response);
    const events = body.split('\n\n').filter(Boolean);
    assert.equal(events.length, 2, body);
    assert.match(events[1] as string, /^data: \{"error":\{.*"code":"all_targets_failed"/);
    // The gateway keeps serving.
    assert.equal((await ask(gateway)).response.status, 200);
  });

  it('stops the upstream call when the client of a JSON request leaves, and records 499', async () => {
    gateway = await startGateway();
    upstream(gateway, 'a').replyWith({ json: { never: 'sent' }, delayMs: 4_000 });
    const outgoing = request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    outgoing.on('error', () => {});
    outgoing.end(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hello there' }] }));
    for (let attempt = 0; attempt < 100 && upstream(gateway, 'a').requests.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(upstream(gateway, 'a').requests.length, 1);
    outgoing.destroy();
    let metrics = '';
    // Well inside the upstream's 4 s delay: only an aborted upstream call ends the request this soon.
    for (let attempt = 0; attempt < 40 && !/status="499"\} 1$/m.test(metrics); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    }
    assert.match(metrics, /^switchyard_requests_total\{[^}]*status="499"\} 1$/m);
    assert.equal(upstream(gateway, 'b').requests.length, 0, 'a client that left is not served by a fallback');
    assert.equal((await ask(gateway)).response.status, 200);
  });

  it('records a client that leaves an accepted stream before its first token as 499, and serves on', async () => {
    gateway = await startGateway();
    const release = holdAfterRoleChunk(upstream(gateway, 'a'), 'late');
    const response = await streamRequest(gateway);
    await once(response, 'data');
    response.destroy();
    let metrics = '';
    for (let attempt = 0; attempt < 40 && !/status="499"\} 1$/m.test(metrics); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    }
    release();
    assert.match(metrics, /^switchyard_requests_total\{[^}]*status="499"\} 1$/m);
    assert.equal((await ask(gateway)).response.status, 200);
  });

  it('ends a stream cut mid-way with an error event and a clean end, without falling back', async () => {
    gateway = await startGateway();
    upstream(gateway, 'a').replyWith({ sse: [contentChunk('Once'), contentChunk(' upon')] });
    const { response, body } = await ask(gateway, { stream: true });
    assert.equal(response.status, 200);
    const events = (body as string).split('\n\n').filter(Boolean);
    assert.match(
      events.at(-1) as string,
      /^data: \{"error":\{"message":"Upstream 'a' sent an invalid response: the stream ended/,
    );
    assert.ok(events.some((event) => event.includes('upon')));
    assert.equal(upstream(gateway, 'b').requests.length, 0, 'no fallback after bytes went out');
  });

  it('opens the circuit after repeated failures, skips the target, then recovers through a probe', async () => {
    gateway = await startGateway({ maxRetries: 0, failureThreshold: 2 });
    const a = upstream(gateway, 'a');
    a.replyWith(failure(503), failure(503));
    for (let index = 0; index < 2; index += 1) {
      assert.equal((await ask(gateway)).response.headers.get('x-switchyard-route'), 'b');
    }
    const ready = (await (await fetch(`${gateway.url}/ready`)).json()) as any;
    assert.equal(ready.models.a.circuit, 'open');
    assert.equal(ready.ready, true, 'one open circuit does not take the gateway out of rotation');
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /switchyard_circuit_state\{model="a"\} 2/);

    const skipped = await ask(gateway);
    assert.equal(skipped.response.headers.get('x-switchyard-route'), 'b');
    assert.equal(a.requests.length, 2, 'an open circuit sends nothing to the target');

    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await ask(gateway);
    assert.equal(probe.response.headers.get('x-switchyard-route'), 'a', 'the half-open probe succeeded');
    assert.equal(((await (await fetch(`${gateway.url}/ready`)).json()) as any).models.a.circuit, 'closed');
  });

  it('closes a half-open circuit when the probe is a stream that finishes', async () => {
    gateway = await startGateway({ maxRetries: 0, failureThreshold: 1 });
    const a = upstream(gateway, 'a');
    a.replyWith(failure(503));
    assert.equal((await ask(gateway)).response.headers.get('x-switchyard-route'), 'b');
    assert.equal(((await (await fetch(`${gateway.url}/ready`)).json()) as any).models.a.circuit, 'open');
    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await streamRequest(gateway);
    assert.equal(probe.headers['x-switchyard-route'], 'a');
    await readToEnd(probe);
    assert.equal(((await (await fetch(`${gateway.url}/ready`)).json()) as any).models.a.circuit, 'closed');
    // And the target takes traffic again, the next request not held behind a probe never settled.
    assert.equal((await ask(gateway)).response.headers.get('x-switchyard-route'), 'a');
  });
});
