import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp } from '../../test/support/create-test-app.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const user = [{ role: 'user', content: 'hi' }];
const tool = (fn: unknown) => ({
  model: 'auto',
  messages: user,
  tools: [{ type: 'function', function: fn }],
});

interface BadInputCase {
  name: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  status: number;
  code: string;
  param?: string;
}

const cases: BadInputCase[] = [
  { name: 'invalid JSON', raw: '{"model": "auto", "messages": [', status: 400, code: 'invalid_json' },
  { name: 'empty body', raw: '', status: 400, code: 'invalid_body' },
  {
    name: 'text/plain content type',
    raw: 'hello',
    contentType: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'form content type',
    raw: 'a=b',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    code: 'unsupported_media_type',
  },
  { name: 'body is an array', body: [1, 2], status: 400, code: 'invalid_body' },
  { name: 'body is a string', raw: '"text"', status: 400, code: 'invalid_body' },
  {
    name: 'body over the limit',
    body: { model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(5000) }] },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'missing model',
    body: { messages: user },
    status: 400,
    code: 'missing_required_parameter',
    param: 'model',
  },
  {
    name: 'model not a string',
    body: { model: 42, messages: user },
    status: 400,
    code: 'invalid_type',
    param: 'model',
  },
  {
    name: 'unknown model',
    body: { model: 'gpt-5-turbo', messages: user },
    status: 404,
    code: 'model_not_found',
    param: 'model',
  },
  {
    name: 'missing messages',
    body: { model: 'auto' },
    status: 400,
    code: 'missing_required_parameter',
    param: 'messages',
  },
  {
    name: 'messages not an array',
    body: { model: 'auto', messages: 'hi' },
    status: 400,
    code: 'invalid_type',
    param: 'messages',
  },
  {
    name: 'empty messages',
    body: { model: 'auto', messages: [] },
    status: 400,
    code: 'empty_array',
    param: 'messages',
  },
  {
    name: 'message not an object',
    body: { model: 'auto', messages: ['hi'] },
    status: 400,
    code: 'invalid_type',
    param: 'messages[0]',
  },
  {
    name: 'unknown role',
    body: { model: 'auto', messages: [{ role: 'wizard', content: 'x' }] },
    status: 400,
    code: 'invalid_value',
    param: 'messages[0].role',
  },
  {
    name: 'missing role',
    body: { model: 'auto', messages: [{ content: 'x' }] },
    status: 400,
    code: 'missing_required_parameter',
    param: 'messages[0].role',
  },
  {
    name: 'content of wrong type',
    body: { model: 'auto', messages: [{ role: 'user', content: 5 }] },
    status: 400,
    code: 'invalid_type',
    param: 'messages[0].content',
  },
  {
    name: 'missing user content',
    body: { model: 'auto', messages: [{ role: 'user' }] },
    status: 400,
    code: 'missing_required_parameter',
    param: 'messages[0].content',
  },
  {
    name: 'image content part',
    body: {
      model: 'auto',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
    },
    status: 400,
    code: 'unsupported_content_type',
    param: 'messages[0].content[0].type',
  },
  {
    name: 'text part without text',
    body: { model: 'auto', messages: [{ role: 'user', content: [{ type: 'text' }] }] },
    status: 400,
    code: 'invalid_type',
    param: 'messages[0].content[0].text',
  },
  {
    name: 'tool message without tool_call_id',
    body: { model: 'auto', messages: [{ role: 'tool', content: 'x' }] },
    status: 400,
    code: 'missing_required_parameter',
    param: 'messages[0].tool_call_id',
  },
  {
    name: 'tool result for no call',
    body: { model: 'auto', messages: [{ role: 'tool', tool_call_id: 'c1', content: 'x' }] },
    status: 400,
    code: 'invalid_value',
    param: 'messages[0].tool_call_id',
  },
  {
    name: 'temperature as string',
    body: { model: 'auto', messages: user, temperature: 'hot' },
    status: 400,
    code: 'invalid_type',
    param: 'temperature',
  },
  {
    name: 'temperature out of range',
    body: { model: 'auto', messages: user, temperature: 3 },
    status: 400,
    code: 'invalid_value',
    param: 'temperature',
  },
  {
    name: 'top_p out of range',
    body: { model: 'auto', messages: user, top_p: -1 },
    status: 400,
    code: 'invalid_value',
    param: 'top_p',
  },
  {
    name: 'absurd max_tokens',
    body: { model: 'auto', messages: user, max_tokens: 1e12 },
    status: 400,
    code: 'invalid_value',
    param: 'max_tokens',
  },
  {
    name: 'negative max_completion_tokens',
    body: { model: 'auto', messages: user, max_completion_tokens: -5 },
    status: 400,
    code: 'invalid_value',
    param: 'max_completion_tokens',
  },
  {
    name: 'fractional max_tokens',
    body: { model: 'auto', messages: user, max_tokens: 10.5 },
    status: 400,
    code: 'invalid_type',
    param: 'max_tokens',
  },
  {
    name: 'n greater than 1',
    body: { model: 'auto', messages: user, n: 3 },
    status: 400,
    code: 'invalid_value',
    param: 'n',
  },
  {
    name: 'stream not a boolean',
    body: { model: 'auto', messages: user, stream: 'yes' },
    status: 400,
    code: 'invalid_type',
    param: 'stream',
  },
  {
    name: 'stream_options without stream',
    body: { model: 'auto', messages: user, stream_options: { include_usage: true } },
    status: 400,
    code: 'invalid_value',
    param: 'stream_options',
  },
  {
    name: 'too many stop sequences',
    body: { model: 'auto', messages: user, stop: ['a', 'b', 'c', 'd', 'e'] },
    status: 400,
    code: 'invalid_value',
    param: 'stop',
  },
  {
    name: 'stop of wrong type',
    body: { model: 'auto', messages: user, stop: 7 },
    status: 400,
    code: 'invalid_type',
    param: 'stop',
  },
  {
    name: 'metadata value not a string',
    body: { model: 'auto', messages: user, metadata: { route: 1 } },
    status: 400,
    code: 'invalid_type',
    param: 'metadata.route',
  },
  {
    name: 'top_logprobs without logprobs',
    body: { model: 'auto', messages: user, top_logprobs: 3 },
    status: 400,
    code: 'invalid_value',
    param: 'top_logprobs',
  },
  {
    name: 'response_format of unknown type',
    body: { model: 'auto', messages: user, response_format: { type: 'xml' } },
    status: 400,
    code: 'invalid_value',
    param: 'response_format.type',
  },
  {
    name: 'json_schema without schema',
    body: {
      model: 'auto',
      messages: user,
      response_format: { type: 'json_schema', json_schema: { name: 'x' } },
    },
    status: 400,
    code: 'missing_required_parameter',
    param: 'response_format.json_schema.schema',
  },
  {
    name: 'json_schema with an invalid schema',
    body: {
      model: 'auto',
      messages: user,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'banana' } } },
    },
    status: 400,
    code: 'invalid_schema',
    param: 'response_format.json_schema.schema',
  },
  {
    name: 'json_schema with a dangling $ref',
    body: {
      model: 'auto',
      messages: user,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'x', schema: { $ref: '#/$defs/missing' } },
      },
    },
    status: 400,
    code: 'invalid_schema',
    param: 'response_format.json_schema.schema',
  },
  {
    name: 'tools not an array',
    body: { model: 'auto', messages: user, tools: {} },
    status: 400,
    code: 'invalid_type',
    param: 'tools',
  },
  {
    name: 'tool of wrong type',
    body: { model: 'auto', messages: user, tools: [{ type: 'retrieval' }] },
    status: 400,
    code: 'invalid_value',
    param: 'tools[0].type',
  },
  {
    name: 'tool without function',
    body: { model: 'auto', messages: user, tools: [{ type: 'function' }] },
    status: 400,
    code: 'missing_required_parameter',
    param: 'tools[0].function',
  },
  {
    name: 'tool without name',
    body: tool({ parameters: {} }),
    status: 400,
    code: 'missing_required_parameter',
    param: 'tools[0].function.name',
  },
  {
    name: 'tool with an invalid name',
    body: tool({ name: 'get weather!' }),
    status: 400,
    code: 'invalid_value',
    param: 'tools[0].function.name',
  },
  {
    name: 'tool parameters not an object',
    body: tool({ name: 'f', parameters: 'x' }),
    status: 400,
    code: 'invalid_type',
    param: 'tools[0].function.parameters',
  },
  {
    name: 'tool parameters an invalid schema',
    body: tool({ name: 'f', parameters: { type: 'object', required: 'city' } }),
    status: 400,
    code: 'invalid_schema',
    param: 'tools[0].function.parameters',
  },
  {
    name: 'tool_choice without tools',
    body: { model: 'auto', messages: user, tool_choice: 'auto' },
    status: 400,
    code: 'invalid_value',
    param: 'tool_choice',
  },
  {
    name: 'tool_choice naming an unknown tool',
    body: { ...tool({ name: 'f' }), tool_choice: { type: 'function', function: { name: 'g' } } },
    status: 400,
    code: 'invalid_value',
    param: 'tool_choice.function.name',
  },
  {
    name: 'assistant tool call without id',
    body: {
      model: 'auto',
      messages: [
        { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] },
      ],
    },
    status: 400,
    code: 'missing_required_parameter',
    param: 'messages[0].tool_calls[0].id',
  },
];

describe('POST /v1/chat/completions with bad input', () => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp();
  });
  after(() => testApp.close());

  for (const testCase of cases) {
    it(`answers ${testCase.status} ${testCase.code} for ${testCase.name}`, async () => {
      const response = await testApp.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { 'content-type': testCase.contentType ?? 'application/json' },
        payload: testCase.raw ?? JSON.stringify(testCase.body),
      });
      assert.equal(response.statusCode, testCase.status, response.body);
      const body = response.json() as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
      assert.equal(body.error.code, testCase.code);
      assert.equal(typeof body.error.message, 'string');
      assert.ok((body.error.message as string).length > 10);
      assert.equal(body.error.type, 'invalid_request_error');
      if (testCase.param) assert.equal(body.error.param, testCase.param);
    });
  }

  it('never reached the upstream for any bad request, and still serves a good one', async () => {
    assert.equal(testApp.upstream.requests.length, 0);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'auto', messages: user },
    });
    assert.equal(response.statusCode, 200);
  });

  it('lists the valid model names in a model_not_found message', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'nope', messages: user },
    });
    assert.match(response.json().error.message, /auto, cloud, gpt-4o, gpt-4o-mini/);
  });

  it('answers unknown URLs with a 404 envelope', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/v1/nothing' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'unknown_url');
  });
});
