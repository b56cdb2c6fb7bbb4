import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../../contract/index.js';
import { InvalidRequestError } from '../../errors/index.js';
import { ForcedCallStream, planForcedToolCall, readForcedCall } from './forced-tool-call.js';

const tools = [
  { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
];
const request = (toolChoice: ChatRequest['toolChoice']): ChatRequest => ({
  messages: [{ role: 'user', content: 'hi' }],
  tools,
  toolChoice,
});

/** Feeds `text` in pieces of `size` characters and returns the deltas, as a client would join them. */
function stream(call: ReturnType<typeof planForcedToolCall>, text: string, size: number) {
  const parts = new ForcedCallStream(call as NonNullable<typeof call>);
  const deltas = [];
  for (let at = 0; at < text.length; at += size) deltas.push(...parts.push(text.slice(at, at + size)));
  deltas.push(...parts.end());
  return {
    names: deltas.filter((delta) => delta.name !== undefined).map((delta) => delta.name),
    ids: new Set(deltas.filter((delta) => delta.id !== undefined).map((delta) => delta.id)),
    arguments: deltas.map((delta) => delta.argumentsDelta).join(''),
  };
}

describe('forced tool calls', () => {
  it('forces nothing for auto, none, or no tools', () => {
    assert.equal(planForcedToolCall(request('auto')), undefined);
    assert.equal(planForcedToolCall(request('none')), undefined);
    assert.equal(planForcedToolCall(request(undefined)), undefined);
    assert.equal(planForcedToolCall({ ...request('required'), tools: [] }), undefined);
  });

  it('holds a named call to that tool, and a required one with one tool likewise', () => {
    const named = planForcedToolCall(request({ name: 'get_time' }));
    assert.equal(named?.only, 'get_time');
    assert.deepEqual(named?.grammarSchema, tools[1]?.parameters);
    assert.equal(planForcedToolCall({ ...request('required'), tools: [tools[0]!] })?.only, 'get_weather');
  });

  it('lets the model choose among several tools under one {name, arguments} grammar', () => {
    const choice = planForcedToolCall(request('required'));
    assert.equal(choice?.only, undefined);
    const schema = choice?.grammarSchema as { oneOf: { properties: { name: { const: string } } }[] };
    const members = schema.oneOf;
    assert.deepEqual(
      members.map((member) => member.properties.name.const),
      ['get_weather', 'get_time'],
    );
  });

  it('refuses a named function that is not among the tools with a 400 on tool_choice', () => {
    assert.throws(
      () => planForcedToolCall(request({ name: 'launch' })),
      (error: unknown) => error instanceof InvalidRequestError && error.param === 'tool_choice',
    );
  });

  it('reads the call from a finished answer, and what there is of one cut short', () => {
    const choice = planForcedToolCall(request('required'));
    assert.deepEqual(readForcedCall('{"name": "get_time", "arguments": {"zone": "CET"}}', choice!), {
      name: 'get_time',
      arguments: '{"zone":"CET"}',
    });
    assert.deepEqual(readForcedCall('{"name": "get_time", "arguments": {"zone": "CE', choice!), {
      name: 'get_time',
      arguments: '{"zone": "CE',
    });
    const named = planForcedToolCall(request({ name: 'get_weather' }));
    assert.deepEqual(readForcedCall(' {"city": "Oslo"} ', named!), {
      name: 'get_weather',
      arguments: '{"city": "Oslo"}',
    });
  });

  it('streams the name once it is known, then arguments that join into the JSON object', () => {
    const text = '{ "name": "get_time", "arguments": { "zone": "C}ET" } }';
    for (const size of [1, 3, 7, text.length]) {
      const joined = stream(planForcedToolCall(request('required')), text, size);
      assert.deepEqual(joined.names, ['get_time'], `size ${size}`);
      assert.equal(joined.ids.size, 1);
      assert.deepEqual(JSON.parse(joined.arguments), { zone: 'C}ET' }, `size ${size}`);
    }
    const named = stream(planForcedToolCall(request({ name: 'get_weather' })), '{"city": "Oslo"}', 2);
    assert.deepEqual(named.names, ['get_weather']);
    assert.deepEqual(JSON.parse(named.arguments), { city: 'Oslo' });
  });

  it('still names the call when the answer was cut short before its name', () => {
    const joined = stream(planForcedToolCall(request('required')), '{ "na', 2);
    assert.deepEqual(joined.names, ['get_weather']);
  });
});
