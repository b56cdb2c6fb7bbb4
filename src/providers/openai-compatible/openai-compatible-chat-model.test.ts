import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream } from '../../../test/support/fake-upstream.js';
import { openAICompatibleModelSchema } from '../../config/openai-compatible-model-schema.js';
import type { StreamPart } from '../../contract/index.js';
import { UpstreamError, UpstreamTimeoutError } from '../../errors/index.js';
import { runProviderContract } from '../provider-contract.case.js';
import { OpenAICompatibleChatModel } from './openai-compatible-chat-model.js';

function createModel(url: string, overrides: Record<string, unknown> = {}) {
  const config = openAICompatibleModelSchema.parse({
    provider: 'openai-compatible',
    baseUrl: `${url}/v1`,
    model: 'gpt-4o-mini',
    apiKeyEnv: 'FAKE_OPENAI_KEY',
    ...overrides,
  });
  return new OpenAICompatibleChatModel({ name: 'cloud', config, env: { FAKE_OPENAI_KEY: 'sk-test' } });
}

let shared: FakeUpstream;
runProviderContract('openai-compatible (fake upstream on 127.0.0.1)', {
  createModel: async () => {
    shared = await FakeUpstream.start();
    const model = createModel(shared.url);
    const close = model.close.bind(model);
    model.close = async () => {
      await close();
      await shared.close();
    };
    return model;
  },
  supportsToolCalls: true,
});

describe('OpenAICompatibleChatModel', () => {
  let upstream: FakeUpstream;
  let model: OpenAICompatibleChatModel;
  const request = { messages: [{ role: 'user' as const, content: 'hi' }] };
  before(async () => {
    upstream = await FakeUpstream.start();
    model = createModel(upstream.url, {
      timeouts: { connectMs: 1_000, firstByteMs: 300, idleMs: 300, totalMs: 2_000 },
    });
  });
  after(async () => {
    await model.close();
    await upstream.close();
  });

  it('sends the key, the upstream model id, and asks for streamed usage', async () => {
    for await (const _ of model.doStream(request, new AbortController().signal)) {
      // drain
    }
    const sent = upstream.requests.at(-1);
    assert.equal(sent?.path, '/v1/chat/completions');
    assert.equal(sent?.headers.authorization, 'Bearer sk-test');
    assert.equal(sent?.body.model, 'gpt-4o-mini');
    assert.deepEqual(sent?.body.stream_options, { include_usage: true });
  });

  it('takes streamed usage from the final chunk, exactly as reported', async () => {
    const parts: StreamPart[] = [];
    for await (const part of model.doStream(request, new AbortController().signal)) parts.push(part);
    const finish = parts.at(-1) as Extract<StreamPart, { type: 'finish' }>;
    assert.equal(finish.usage.source, 'upstream');
    assert.equal(finish.usage.inputTokens, JSON.stringify(upstream.requests.at(-1)?.body.messages).length);
    assert.equal(finish.modelId, 'gpt-4o-mini-2024-07-18');
  });

  it('counts usage locally, flagged as counted, when the upstream reports none', async () => {
    upstream.replyWith({
      json: { model: 'x', choices: [{ message: { content: 'four tokens of text' }, finish_reason: 'stop' }] },
    });
    const result = await model.doGenerate(request, new AbortController().signal);
    assert.equal(result.usage.source, 'counted');
    assert.ok(result.usage.outputTokens > 0);
  });

  it('maps a 503 to a retryable 502 and a 400 to a non-retryable 400 with the upstream message', async () => {
    upstream.replyWith({ status: 503, json: { error: { message: 'overloaded' } } });
    const overloaded = await model
      .doGenerate(request, new AbortController().signal)
      .catch((error: unknown) => error);
    assert.ok(overloaded instanceof UpstreamError);
    assert.equal(overloaded.status, 502);
    assert.equal(overloaded.isRetryable, true);
    upstream.replyWith({
      status: 400,
      json: { error: { message: 'bad temperature', code: 'invalid_value', param: 'temperature' } },
    });
    const bad = await model
      .doGenerate(request, new AbortController().signal)
      .catch((error: unknown) => error);
    assert.ok(bad instanceof UpstreamError);
    assert.equal(bad.status, 400);
    assert.equal(bad.isRetryable, false);
    assert.match(bad.message, /bad temperature/);
  });

  it('keeps Retry-After from a 429', async () => {
    upstream.replyWith({
      status: 429,
      headers: { 'retry-after': '7' },
      json: { error: { message: 'slow down' } },
    });
    const error = await model
      .doGenerate(request, new AbortController().signal)
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSeconds, 7);
  });

  it('times out an upstream that never starts answering', async () => {
    // The first-byte limit may fire up to a second late (undici's coarse timer clock).
    upstream.replyWith({ delayMs: 2_000, json: {} });
    const error = await model
      .doGenerate(request, new AbortController().signal)
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof UpstreamTimeoutError, String(error));
    assert.equal(error.phase, 'first-byte');
  });

  it('turns a reset connection into a retryable upstream error', async () => {
    upstream.replyWith({ destroy: true });
    const error = await model
      .doGenerate(request, new AbortController().signal)
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof UpstreamError, String(error));
    assert.equal(error.isRetryable, true);
  });

  it('fails a stream cut before its finish instead of pretending it completed', async () => {
    upstream.replyWith({ sse: [JSON.stringify({ choices: [{ index: 0, delta: { content: 'par' } }] })] });
    await assert.rejects(async () => {
      for await (const _ of model.doStream(request, new AbortController().signal)) {
        // drain
      }
    }, /ended before the answer was complete/);
  });

  it('times out a stream that goes silent between chunks', async () => {
    upstream.replyWith({
      sse: [JSON.stringify({ choices: [{ index: 0, delta: { content: 'par' } }] }), '[DONE]'],
      holdAfterFirstEvent: new Promise((resolve) => setTimeout(resolve, 1_500)),
    });
    const parts: StreamPart[] = [];
    const error = await (async () => {
      for await (const part of model.doStream(request, new AbortController().signal)) parts.push(part);
    })().catch((caught: unknown) => caught);
    assert.deepEqual(parts, [{ type: 'text-delta', delta: 'par' }]);
    assert.ok(error instanceof UpstreamTimeoutError, String(error));
    assert.equal(error.phase, 'idle');
  });

  it('keeps one pooled connection across calls, streamed and not, and after an upstream error', async () => {
    const own = await FakeUpstream.start();
    const pooled = createModel(own.url);
    // undici frees a connection on the turn of the event loop after its response ends; a call made
    // in the same turn would open a second one. Clients' calls never come that close.
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    try {
      for (let round = 0; round < 3; round++) {
        for await (const _ of pooled.doStream(request, new AbortController().signal)) {
          // drain
        }
        await nextTurn();
        await pooled.doGenerate(request, new AbortController().signal);
        await nextTurn();
      }
      own.replyWith({ status: 503, json: { error: { message: 'overloaded' } } });
      await pooled.doGenerate(request, new AbortController().signal).catch(() => undefined);
      await nextTurn();
      await pooled.doGenerate(request, new AbortController().signal);
      assert.equal(own.requests.length, 8);
      assert.equal(own.connectionsAccepted, 1);
    } finally {
      await pooled.close();
      await own.close();
    }
  });

  it('rejects invalid JSON from the upstream with a 502', async () => {
    upstream.replyWith({ sse: ['{not json'] });
    const error = await (async () => {
      for await (const _ of model.doStream(request, new AbortController().signal)) {
        // drain
      }
    })().catch((caught: unknown) => caught);
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.code, 'upstream_invalid_response');
  });

  it('derives confidence from logprobs when the upstream returns them', async () => {
    upstream.replyWith({
      json: {
        model: 'x',
        choices: [
          {
            message: { content: 'ab' },
            finish_reason: 'stop',
            logprobs: {
              content: [
                { token: 'a', logprob: Math.log(0.5), top_logprobs: [] },
                { token: 'b', logprob: 0, top_logprobs: [] },
              ],
            },
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 2 },
      },
    });
    const result = await model.doGenerate({ ...request, logprobs: true }, new AbortController().signal);
    assert.equal(result.confidence?.meanTokenProbability, 0.75);
    assert.equal(result.confidence?.minTokenProbability, 0.5);
    assert.equal(result.logprobs?.length, 2);
  });

  it('is not ready, and says why, when its API key variable is unset', () => {
    const config = openAICompatibleModelSchema.parse({
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'm',
      apiKeyEnv: 'NOPE',
    });
    const unready = new OpenAICompatibleChatModel({ name: 'x', config, env: {} });
    assert.deepEqual(unready.readiness(), { ready: false, detail: 'environment variable NOPE is not set' });
  });
});
