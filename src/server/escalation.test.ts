import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createOpenAIAnswer, type FakeUpstream } from '../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

/** `local` (a self-hosted OpenAI-compatible SLM) escalates to `cloud` (gpt-4o-mini). */
async function startGateway(escalation: Record<string, unknown> = {}, routing: Record<string, unknown> = {}) {
  return startTestGateway({
    upstreams: ['local', 'cloud'],
    listen: true,
    config: (urls) => ({
      models: {
        local: {
          provider: 'openai-compatible',
          baseUrl: urls.local as string,
          model: 'qwen2.5-0.5b',
          local: true,
        },
        cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
      },
      routing: {
        default: 'local',
        escalation: { from: 'local', to: 'cloud', minConfidence: 0.6, ...escalation },
        retries: { maxRetries: 0 },
        ...routing,
      },
      storage: { requestLog: 'off' },
    }),
  });
}

async function ask(
  gateway: TestGateway,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      model: 'auto',
      messages: [{ role: 'user', content: 'Where is my parcel?' }],
      ...body,
    }),
  });
  const text = await response.text();
  return {
    response,
    text,
    body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
  };
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('confidence escalation', () => {
  let gateway: TestGateway;
  let local: FakeUpstream;
  let cloud: FakeUpstream;
  const start = async (escalation: Record<string, unknown> = {}, routing: Record<string, unknown> = {}) => {
    gateway = await startGateway(escalation, routing);
    local = gateway.upstreams.local as FakeUpstream;
    cloud = gateway.upstreams.cloud as FakeUpstream;
  };
  afterEach(() => gateway.close());

  it('serves a confident small-model answer and asks it for logprobs the client did not request', async () => {
    await start();
    local.replyWith(
      createOpenAIAnswer({ content: 'It ships today.', tokenProbabilities: [0.9, 0.95, 0.99] }),
    );
    const { response, body } = await ask(gateway);
    assert.equal(response.headers.get('x-switchyard-route'), 'local');
    assert.equal(response.headers.get('x-switchyard-escalated'), 'false');
    assert.equal(body.choices[0].message.content, 'It ships today.');
    assert.equal(body.choices[0].logprobs, null, 'the client did not ask for logprobs');
    assert.equal(local.requests[0]?.body.logprobs, true);
    assert.equal(cloud.requests.length, 0);
  });

  it('escalates an answer whose mean token probability is below minConfidence', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ content: 'Maybe Tuesday?', tokenProbabilities: [0.3, 0.5, 0.4] }));
    cloud.replyWith(
      createOpenAIAnswer({ content: 'It ships on Monday.', usage: { prompt: 400, completion: 600 } }),
    );
    const { response, body } = await ask(gateway);
    assert.equal(response.headers.get('x-switchyard-route'), 'cloud');
    assert.equal(response.headers.get('x-switchyard-escalated'), 'true');
    assert.equal(
      response.headers.get('x-switchyard-route-reason'),
      'Escalated from local to cloud: mean token probability 0.40 is below 0.6.',
    );
    assert.equal(body.choices[0].message.content, 'It ships on Monday.');
    // Local is free; gpt-4o-mini at $0.15/$0.60: 400 × 0.15 + 600 × 0.60 = 420 micro-dollars.
    assert.equal(response.headers.get('x-switchyard-cost-usd'), '0.00042');
    assert.equal(cloud.requests[0]?.body.logprobs, undefined, 'only the checked model is asked for logprobs');
  });

  it('escalates a json_object answer that does not parse', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ content: '{"status": "shipped"', tokenProbabilities: [0.99] }));
    const { response, body } = await ask(gateway, { response_format: { type: 'json_object' } });
    assert.equal(response.headers.get('x-switchyard-escalated'), 'true');
    assert.match(String(response.headers.get('x-switchyard-route-reason')), /not valid JSON/);
    assert.deepEqual(JSON.parse(body.choices[0].message.content), { answer: '42', confidence: 0.9 });
  });

  it('escalates JSON that parses but does not fit the requested schema', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ content: '{"answer": 42}', tokenProbabilities: [0.99] }));
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const { response } = await ask(gateway, {
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema } },
    });
    assert.equal(response.headers.get('x-switchyard-escalated'), 'true');
    assert.match(String(response.headers.get('x-switchyard-route-reason')), /does not fit the schema/);
  });

  it('escalates a tool call whose arguments do not fit the tool’s parameters', async () => {
    await start();
    local.replyWith(
      createOpenAIAnswer({
        toolCalls: [{ name: 'get_weather', arguments: '{"town":"Paris"}' }],
        tokenProbabilities: [0.99],
      }),
    );
    const { response, body } = await ask(gateway, { tools: [weatherTool] });
    assert.equal(response.headers.get('x-switchyard-escalated'), 'true');
    assert.match(
      String(response.headers.get('x-switchyard-route-reason')),
      /arguments of 'get_weather' do not fit/,
    );
    assert.equal(body.choices[0].message.tool_calls[0].function.arguments, '{"city":"Paris"}');
  });

  it('escalates a call to a tool that was never offered, and an empty answer', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ toolCalls: [{ name: 'delete_account', arguments: '{}' }] }));
    const unknownTool = await ask(gateway, { tools: [weatherTool] });
    assert.match(
      String(unknownTool.response.headers.get('x-switchyard-route-reason')),
      /unknown tool 'delete_account'/,
    );
    local.replyWith(createOpenAIAnswer({ content: '  ' }));
    const empty = await ask(gateway);
    assert.equal(empty.response.headers.get('x-switchyard-escalated'), 'true');
    assert.match(String(empty.response.headers.get('x-switchyard-route-reason')), /answer was empty/);
  });

  it('buffers the small model for a streaming client, then streams the escalated answer', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ content: 'Hmm', tokenProbabilities: [0.2] }));
    const { response, text } = await ask(gateway, { stream: true });
    assert.equal(response.headers.get('x-switchyard-escalated'), 'true');
    assert.notEqual(local.requests[0]?.body.stream, true, 'the checked model answers whole');
    assert.equal(cloud.requests[0]?.body.stream, true, 'the escalation target streams to the client');
    assert.match(text, /"content":" fake"/);
    assert.match(text, /data: \[DONE\]/);
  });

  it('replays a buffered answer that passed its check as a normal stream', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ content: 'It ships today.', tokenProbabilities: [0.99] }));
    const { response, text } = await ask(gateway, { stream: true, stream_options: { include_usage: true } });
    assert.equal(response.headers.get('x-switchyard-escalated'), 'false');
    assert.match(text, /"content":"It ships today."/);
    assert.match(text, /"usage":\{"prompt_tokens":10,"completion_tokens":5/);
    assert.equal(cloud.requests.length, 0);
  });

  it('streams the small model directly and never escalates streams with streaming: off', async () => {
    await start({ streaming: 'off' });
    const { response, text } = await ask(gateway, { stream: true });
    assert.equal(response.headers.get('x-switchyard-route'), 'local');
    assert.equal(local.requests[0]?.body.stream, true);
    assert.match(text, /data: \[DONE\]/);
    assert.equal(cloud.requests.length, 0);
  });

  it('does not escalate a request that named its model, unless applyTo is all', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ content: 'Hmm', tokenProbabilities: [0.2] }));
    const forced = await ask(gateway, { model: 'local' });
    assert.equal(forced.response.headers.get('x-switchyard-escalated'), 'false');
    await gateway.close();
    await start({ applyTo: 'all' });
    local.replyWith(createOpenAIAnswer({ content: 'Hmm', tokenProbabilities: [0.2] }));
    const all = await ask(gateway, { model: 'local' });
    assert.equal(all.response.headers.get('x-switchyard-escalated'), 'true');
  });

  it('serves the small model’s answer when the escalation target fails', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ content: 'Maybe Tuesday?', tokenProbabilities: [0.2] }));
    cloud.replyWith({ status: 503, json: { error: { message: 'down' } } });
    const { response, body } = await ask(gateway);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'local');
    assert.equal(response.headers.get('x-switchyard-escalated'), 'false');
    assert.match(String(response.headers.get('x-switchyard-route-reason')), /escalation to cloud failed/);
    assert.equal(body.choices[0].message.content, 'Maybe Tuesday?');
  });
});

describe('PII residency', () => {
  let gateway: TestGateway;
  let local: FakeUpstream;
  let cloud: FakeUpstream;
  afterEach(() => gateway.close());
  const start = async () => {
    gateway = await startGateway(
      {},
      {
        fallbacks: { local: ['cloud'] },
        rules: [{ when: { taskType: ['reasoning', 'code'] }, then: 'cloud' }],
        residency: { pii: 'local' },
      },
    );
    local = gateway.upstreams.local as FakeUpstream;
    cloud = gateway.upstreams.cloud as FakeUpstream;
  };
  const card = 'Why was my card 4111 1111 1111 1111 declined? Explain step by step.';
  const iban = 'Explain why the transfer to DE89 3704 0044 0532 0130 00 bounced.';

  it('never sends a valid card number or IBAN to the cloud, even when the local model fails', async () => {
    await start();
    for (const content of [card, iban]) {
      local.replyWith({ status: 503, json: { error: { message: 'down' } } });
      const { response, body } = await ask(gateway, { messages: [{ role: 'user', content }] });
      assert.equal(response.status, 502);
      assert.match(body.error.message, /Upstream 'local' returned 503/);
    }
    assert.equal(cloud.requests.length, 0);
  });

  it('overrides a rule, a forced route and a header that point at the cloud, and skips escalation', async () => {
    await start();
    local.replyWith(createOpenAIAnswer({ content: 'Hmm', tokenProbabilities: [0.1] }));
    const ruled = await ask(gateway, { messages: [{ role: 'user', content: card }] });
    assert.equal(ruled.response.headers.get('x-switchyard-route'), 'local');
    assert.match(
      String(ruled.response.headers.get('x-switchyard-route-reason')),
      /residency keeps this request's PII off cloud/,
    );
    const named = await ask(gateway, { model: 'cloud', messages: [{ role: 'user', content: iban }] });
    assert.match(String(named.response.headers.get('x-switchyard-route-reason')), /contains PII \(iban\)/);
    const header = await ask(
      gateway,
      { messages: [{ role: 'user', content: iban }] },
      { 'x-switchyard-route': 'cloud' },
    );
    assert.equal(header.response.headers.get('x-switchyard-route'), 'local');
    assert.equal(cloud.requests.length, 0);
  });

  it('still sends a card-shaped number that fails the Luhn check where the rules say', async () => {
    await start();
    const { response } = await ask(gateway, {
      messages: [{ role: 'user', content: 'Explain step by step why 4111 1111 1111 1112 is rejected.' }],
    });
    assert.equal(response.headers.get('x-switchyard-route'), 'cloud');
    assert.equal(cloud.requests.length, 1);
  });
});
