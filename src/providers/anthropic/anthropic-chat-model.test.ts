import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDefaultAnthropicReply } from '../../../test/support/fake-anthropic-reply.js';
import { FakeUpstream } from '../../../test/support/fake-upstream.js';
import { anthropicModelSchema } from '../../config/anthropic-model-schema.js';
import type { StreamPart } from '../../contract/index.js';
import { runProviderContract } from '../provider-contract.case.js';
import { AnthropicChatModel } from './anthropic-chat-model.js';

function createModel(url: string) {
  const config = anthropicModelSchema.parse({
    provider: 'anthropic',
    baseUrl: url,
    model: 'claude-3-7-sonnet',
    apiKeyEnv: 'FAKE_KEY',
  });
  return new AnthropicChatModel({ name: 'claude', config, env: { FAKE_KEY: 'sk-ant-test' } });
}

runProviderContract('anthropic (fake upstream on 127.0.0.1)', {
  createModel: async () => {
    const upstream = await FakeUpstream.start(createDefaultAnthropicReply);
    upstream.replyWith(); // no scripted replies: the default Anthropic answers serve every call
    const model = createModel(upstream.url);
    const close = model.close.bind(model);
    model.close = async () => {
      await close();
      await upstream.close();
    };
    return model;
  },
  supportsToolCalls: true,
});

describe('AnthropicChatModel', () => {
  let upstream: FakeUpstream;
  let model: AnthropicChatModel;
  before(async () => {
    upstream = await FakeUpstream.start(createDefaultAnthropicReply);
    model = createModel(upstream.url);
  });
  after(async () => {
    await model.close();
    await upstream.close();
  });

  it('translates system, tool calls and tool results into the Messages API shape', async () => {
    await model.doGenerate(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'toolu_9', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
          },
          { role: 'tool', toolCallId: 'toolu_9', content: 'rain' },
        ],
        tools: [
          { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        ],
        toolChoice: 'required',
        maxOutputTokens: 50,
      },
      new AbortController().signal,
    );
    const sent = upstream.requests.at(-1);
    assert.equal(sent?.path, '/v1/messages');
    assert.equal(sent?.headers['x-api-key'], 'sk-ant-test');
    assert.equal(sent?.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent?.body.system, 'Be brief.');
    assert.deepEqual(sent?.body.tool_choice, { type: 'any' });
    assert.deepEqual(sent?.body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Oslo' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'rain' }] },
    ]);
  });

  it('counts cache reads and writes inside input tokens and keeps them apart', async () => {
    const result = await model.doGenerate(
      { messages: [{ role: 'user', content: 'hi' }] },
      new AbortController().signal,
    );
    assert.equal(result.usage.inputTokens, 130);
    assert.equal(result.usage.cachedInputTokens, 100);
    assert.equal(result.usage.cacheWriteInputTokens, 10);
  });

  it('streams tool_use blocks as OpenAI-indexed tool call deltas', async () => {
    const parts: StreamPart[] = [];
    const request = {
      messages: [{ role: 'user' as const, content: 'Weather?' }],
      tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
    };
    for await (const part of model.doStream(request, new AbortController().signal)) parts.push(part);
    const deltas = parts.filter((part) => part.type === 'tool-call-delta');
    assert.equal(deltas[0]?.type === 'tool-call-delta' && deltas[0].name, 'get_weather');
    const args = deltas.map((part) => (part.type === 'tool-call-delta' ? part.argumentsDelta : '')).join('');
    assert.deepEqual(JSON.parse(args), { city: 'Paris' });
    const finish = parts.at(-1);
    assert.equal(finish?.type === 'finish' && finish.finishReason, 'tool-calls');
  });
});
