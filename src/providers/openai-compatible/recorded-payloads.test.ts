import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream } from '../../../test/support/fake-upstream.js';
import { openAICompatibleModelSchema } from '../../config/openai-compatible-model-schema.js';
import type { StreamPart } from '../../contract/index.js';
import { OpenAICompatibleChatModel } from './openai-compatible-chat-model.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('OpenAI payloads in the documented wire format', () => {
  let upstream: FakeUpstream;
  let model: OpenAICompatibleChatModel;
  before(async () => {
    upstream = await FakeUpstream.start();
    const config = openAICompatibleModelSchema.parse({
      provider: 'openai-compatible',
      baseUrl: `${upstream.url}/v1`,
      model: 'gpt-4o',
    });
    model = new OpenAICompatibleChatModel({ name: 'cloud', config, env: {} });
  });
  after(async () => {
    await model.close();
    await upstream.close();
  });

  it('reads a streamed answer with cached prompt tokens in its final usage chunk', async () => {
    upstream.replyWith({ raw: fixture('chat-completion-stream.sse') });
    const parts: StreamPart[] = [];
    for await (const part of model.doStream(
      { messages: [{ role: 'user', content: 'hi' }] },
      new AbortController().signal,
    ))
      parts.push(part);
    const text = parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('');
    assert.equal(text, 'Bonjour à tous !');
    assert.deepEqual(parts.at(-1), {
      type: 'finish',
      finishReason: 'stop',
      modelId: 'gpt-4o-2024-08-06',
      usage: {
        inputTokens: 1117,
        outputTokens: 46,
        cachedInputTokens: 1024,
        cacheWriteInputTokens: 0,
        reasoningTokens: 0,
        source: 'upstream',
      },
      warnings: [],
    });
  });

  it('reads reasoning tokens from a non-streamed answer', async () => {
    upstream.replyWith({ json: JSON.parse(fixture('chat-completion-reasoning.json')) });
    const result = await model.doGenerate(
      { messages: [{ role: 'user', content: 'hi' }] },
      new AbortController().signal,
    );
    assert.equal(result.text, 'The answer is 42.');
    assert.equal(result.usage.reasoningTokens, 1280);
    assert.equal(result.usage.outputTokens, 1330);
  });
});
