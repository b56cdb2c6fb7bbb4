import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_JSON_SCHEMAS } from '../../../test/support/client-json-schemas.js';
import { InvalidRequestError } from '../../errors/index.js';
import { parseChatCompletionRequest } from './parse-chat-completion-request.js';

const messages = [{ role: 'user', content: 'hi' }];

function withResponseSchema(schema: unknown) {
  return {
    model: 'auto',
    messages,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema } },
  };
}

function withToolParameters(parameters: unknown) {
  return { model: 'auto', messages, tools: [{ type: 'function', function: { name: 'lookup', parameters } }] };
}

function catchError(run: () => unknown): InvalidRequestError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof InvalidRequestError, String(error));
    return error;
  }
  assert.fail('expected the request to be refused');
}

describe('JSON schemas in chat completion requests', () => {
  for (const [name, { source, schema }] of Object.entries(CLIENT_JSON_SCHEMAS)) {
    it(`accepts as response_format and as tool parameters the schema ${source}`, () => {
      const format = parseChatCompletionRequest(withResponseSchema(schema)).request.responseFormat;
      assert.deepEqual(format, { type: 'json_schema', name: 'answer', schema, strict: true }, name);
      const tools = parseChatCompletionRequest(withToolParameters(schema)).request.tools;
      assert.deepEqual(tools?.[0]?.parameters, schema, name);
    });
  }

  it('refuses a 2020-12 schema that breaks its dialect with a 400 naming the response_format param', () => {
    const error = catchError(() =>
      parseChatCompletionRequest(
        withResponseSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'banana' }),
      ),
    );
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_schema');
    assert.equal(error.param, 'response_format.json_schema.schema');
    assert.match(error.message, /^Invalid schema for 'response_format\.json_schema\.schema': schema\/type/);
  });

  it('refuses tool parameters with a dangling $ref or an unknown $schema, naming the tool param', () => {
    for (const parameters of [
      { $schema: 'http://json-schema.org/draft-07/schema#', $ref: '#/definitions/missing' },
      { $schema: 'https://example.com/not-a-dialect', type: 'object' },
    ]) {
      const error = catchError(() => parseChatCompletionRequest(withToolParameters(parameters)));
      assert.equal(error.status, 400);
      assert.equal(error.code, 'invalid_schema');
      assert.equal(error.param, 'tools[0].function.parameters');
    }
  });
});
