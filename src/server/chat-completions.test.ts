import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp } from '../../test/support/create-test-app.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const messages = [{ role: 'user', content: 'hi' }];

function parseSse(body: string): unknown[] {
  assert.ok(body.endsWith('data: [DONE]\n\n'), 'stream ends with [DONE]');
  return body
    .split('\n\n')
    .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
    .map((event) => JSON.parse(event.slice('data: '.length)));
}

describe('POST /v1/chat/completions', () => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ apiKey: undefined });
  });
  after(() => testApp.close());

  it('returns a chat.completion in OpenAI format with request id and model headers', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'auto', messages },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-switchyard-model'], 'cloud');
    assert.match(
      String(response.headers['x-request-id']),
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const body = response.json();
    assert.match(body.id, /^chatcmpl-/);
    assert.equal(body.object, 'chat.completion');
    assert.equal(typeof body.created, 'number');
    assert.equal(body.model, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(body.choices[0].message, {
      role: 'assistant',
      content: 'Hello from the fake upstream.',
      refusal: null,
      annotations: [],
    });
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('keeps a caller-supplied x-request-id', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { 'x-request-id': 'trace-123' },
      payload: { model: 'auto', messages },
    });
    assert.equal(response.headers['x-request-id'], 'trace-123');
  });

  it('serves an alias mapped to a model, passing max_tokens through', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'gpt-4o-mini', messages, max_completion_tokens: 2 },
    });
    assert.equal(response.json().choices[0].finish_reason, 'length');
    assert.equal(testApp.upstream.requests.at(-1)?.body.max_tokens, 2);
  });

  it('streams chunks, a finish chunk, a usage chunk and [DONE]', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } },
    });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    assert.equal(response.headers['x-switchyard-model'], 'cloud');
    const chunks = parseSse(response.body) as Record<string, any>[];
    assert.deepEqual(chunks[0]?.choices[0].delta, { role: 'assistant', content: '', refusal: null });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, 'Hello from the fake upstream.');
    const usageChunk = chunks.at(-1);
    assert.deepEqual(usageChunk?.choices, []);
    assert.ok(usageChunk?.usage.completion_tokens > 0);
    assert.equal(chunks.at(-2)?.choices[0].finish_reason, 'stop');
    for (const chunk of chunks.slice(0, -1)) assert.equal(chunk.usage, null);
    assert.equal(new Set(chunks.map((chunk) => chunk.id)).size, 1);
  });

  it('streams tool call deltas and round-trips the tool result', async () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const first = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'auto', messages, tools },
    });
    const call = first.json().choices[0].message.tool_calls[0];
    assert.equal(first.json().choices[0].finish_reason, 'tool_calls');
    assert.equal(first.json().choices[0].message.content, null);
    const second = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: {
        model: 'auto',
        tools,
        messages: [
          ...messages,
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: 'sunny' },
        ],
      },
    });
    assert.equal(second.json().choices[0].message.content, 'It is sunny in Paris.');
    const sent = testApp.upstream.requests.at(-1)?.body.messages as Record<string, unknown>[];
    assert.equal(sent.at(-1)?.tool_call_id, call.id);
  });

  it('passes an upstream 429 through with its Retry-After', async () => {
    testApp.upstream.replyWith({
      status: 429,
      headers: { 'retry-after': '3' },
      json: { error: { message: 'slow down' } },
    });
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'auto', messages },
    });
    assert.equal(response.statusCode, 429);
    assert.equal(response.headers['retry-after'], '3');
    assert.equal(response.json().error.type, 'rate_limit_error');
  });

  it('answers 502 in the error envelope when the upstream fails before streaming', async () => {
    testApp.upstream.replyWith({ status: 500, json: { error: { message: 'boom' } } });
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'auto', messages, stream: true },
    });
    assert.equal(response.statusCode, 502);
    assert.match(response.json().error.message, /boom/);
  });

  it('ends a stream that fails midway with an error event instead of [DONE]', async () => {
    testApp.upstream.replyWith({
      sse: [JSON.stringify({ model: 'm', choices: [{ index: 0, delta: { content: 'Hel' } }] })],
    });
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'auto', messages, stream: true },
    });
    assert.equal(response.statusCode, 200);
    const events = response.body.split('\n\n').filter(Boolean);
    assert.ok(!response.body.includes('[DONE]'));
    const last = JSON.parse(String(events.at(-1)).slice('data: '.length));
    assert.equal(last.error.code, 'upstream_invalid_response');
  });
});

describe('GET /v1/models, /health and /ready', () => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp();
  });
  after(() => testApp.close());

  it('lists auto, the models and the aliases in OpenAI list format', async () => {
    const body = (await testApp.app.inject({ method: 'GET', url: '/v1/models' })).json();
    assert.equal(body.object, 'list');
    assert.deepEqual(
      body.data.map((model: { id: string }) => model.id),
      ['auto', 'cloud', 'gpt-4o', 'gpt-4o-mini'],
    );
    assert.deepEqual(Object.keys(body.data[0]).sort(), ['created', 'id', 'object', 'owned_by']);
  });

  it('retrieves one model and 404s an unknown one', async () => {
    assert.equal((await testApp.app.inject({ method: 'GET', url: '/v1/models/gpt-4o' })).json().id, 'gpt-4o');
    assert.equal((await testApp.app.inject({ method: 'GET', url: '/v1/models/nope' })).statusCode, 404);
  });

  it('reports health and readiness per model', async () => {
    assert.deepEqual((await testApp.app.inject({ method: 'GET', url: '/health' })).json(), { status: 'ok' });
    const ready = await testApp.app.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), {
      ready: true,
      models: { cloud: { provider: 'openai-compatible', ready: true, circuit: 'closed' } },
    });
  });
});

describe('gateway API key', () => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ apiKey: 'sy-secret' });
  });
  after(() => testApp.close());

  it('refuses /v1 requests without the key and accepts them with it; /health stays open', async () => {
    const refused = await testApp.app.inject({ method: 'GET', url: '/v1/models' });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.type, 'authentication_error');
    const accepted = await testApp.app.inject({
      method: 'GET',
      url: '/v1/models',
      headers: { authorization: 'Bearer sy-secret' },
    });
    assert.equal(accepted.statusCode, 200);
    assert.equal((await testApp.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });
});
