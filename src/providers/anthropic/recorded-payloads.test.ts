import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream } from '../../../test/support/fake-upstream.js';
import { anthropicModelSchema } from '../../config/anthropic-model-schema.js';
import type { StreamPart } from '../../contract/index.js';
import { AnthropicChatModel } from './anthropic-chat-model.js';

describe('Anthropic payloads in the documented wire format', () => {
  let upstream: FakeUpstream;
  let model: AnthropicChatModel;
  before(async () => {
    upstream = await FakeUpstream.start();
    const config = anthropicModelSchema.parse({
      provider: 'anthropic',
      baseUrl: upstream.url,
      model: 'claude-sonnet-4-20250514',
      apiKeyEnv: 'K',
    });
    model = new AnthropicChatModel({ name: 'claude', config, env: { K: 'k' } });
  });
  after(async () => {
    await model.close();
    await upstream.close();
  });

  it('reads text, a streamed tool_use block, cache-write usage and the cumulative output count', async () => {
    upstream.replyWith({
      raw: readFileSync(new URL('./__fixtures__/messages-stream.sse', import.meta.url), 'utf8'),
    });
    const parts: StreamPart[] = [];
    const request = {
      messages: [{ role: 'user' as const, content: 'Weather in SF?' }],
      tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
    };
    for await (const part of model.doStream(request, new AbortController().signal)) parts.push(part);
    assert.equal(
      parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join(''),
      'Okay, let me check',
    );
    const args = parts.map((part) => (part.type === 'tool-call-delta' ? part.argumentsDelta : '')).join('');
    assert.deepEqual(JSON.parse(args), { location: 'San Francisco, CA' });
    const call = parts.find((part) => part.type === 'tool-call-delta');
    assert.deepEqual(call, {
      type: 'tool-call-delta',
      index: 0,
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_weather',
      argumentsDelta: '',
    });
    const finish = parts.at(-1);
    assert.ok(finish?.type === 'finish');
    assert.equal(finish.finishReason, 'tool-calls');
    assert.deepEqual(finish.usage, {
      inputTokens: 2520,
      outputTokens: 89,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 2048,
      reasoningTokens: 0,
      source: 'upstream',
    });
  });
});
