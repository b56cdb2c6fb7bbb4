import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { llamaCppModelSchema } from '../../config/llama-cpp-model-schema.js';
import { InvalidRequestError, OverloadedError } from '../../errors/index.js';
import { runProviderContract } from '../provider-contract.case.js';
import { LlamaCppChatModel } from './llama-cpp-chat-model.js';

const modelPath = fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));

function loadStories(overrides: Record<string, unknown> = {}) {
  const config = llamaCppModelSchema.parse({
    provider: 'llama-cpp',
    model: modelPath,
    contextSize: 256,
    threads: 1,
    gpu: false,
    ...overrides,
  });
  return LlamaCppChatModel.load({ name: 'local', config, modelPath });
}

runProviderContract('llama-cpp (stories260K.gguf)', {
  createModel: () => loadStories(),
  supportsToolCalls: false,
});

describe('LlamaCppChatModel', () => {
  let model: LlamaCppChatModel;
  before(async () => {
    model = await loadStories({ contextSize: 1024, parallel: 1, queue: { maxWaiting: 1, timeoutMs: 5_000 } });
  });
  after(() => model.close());

  it('reports token confidence between 0 and 1 when it is asked for, and only then', async () => {
    const ask = (confidenceRequested: boolean) =>
      model.doGenerate(
        {
          messages: [{ role: 'user', content: 'Once upon a time' }],
          maxOutputTokens: 10,
          confidenceRequested,
        },
        new AbortController().signal,
      );
    const result = await ask(true);
    assert.ok(result.confidence, 'confidence present');
    assert.ok(result.confidence.meanTokenProbability > 0 && result.confidence.meanTokenProbability <= 1);
    assert.ok(result.confidence.minTokenProbability <= result.confidence.meanTokenProbability);
    assert.ok(result.confidence.tokenCount >= result.usage.outputTokens);
    // On the same pooled sequence: a request that does not ask gets none; asking again measures anew.
    const plain = await ask(false);
    assert.equal(plain.confidence, undefined);
    assert.ok(plain.usage.outputTokens > 0);
    const again = await ask(true);
    assert.equal(
      again.confidence?.tokenCount,
      result.confidence.tokenCount,
      'same greedy answer, same count',
    );
  });

  it('uses the configured thread count', () => {
    assert.equal(model.threads, 1);
    // Counted with the GGUF's own vocabulary, not estimated.
    assert.equal(model.countsExactly, true);
    assert.ok(model.countTokens('Once upon a time there was a cat') >= 5);
    assert.equal(model.countTokens(''), 0);
  });

  it('answers 429 with Retry-After when its queue is full, and recovers', async () => {
    const request = {
      messages: [{ role: 'user' as const, content: 'Once upon a time' }],
      maxOutputTokens: 60,
    };
    const running = model.doGenerate(request, new AbortController().signal);
    const waiting = model.doGenerate(request, new AbortController().signal);
    const refused = await model
      .doGenerate(request, new AbortController().signal)
      .catch((error: unknown) => error);
    assert.ok(refused instanceof OverloadedError, `expected OverloadedError, got ${String(refused)}`);
    assert.equal(refused.status, 429);
    assert.ok(refused.retryAfterSeconds !== undefined && refused.retryAfterSeconds >= 1);
    await Promise.all([running, waiting]);
    assert.deepEqual(model.queue.depth, { running: 0, waiting: 0 });
  });

  it('refuses max_tokens beyond the context with a 400 naming max_tokens', async () => {
    const error = await model
      .doGenerate(
        { messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 100_000 },
        new AbortController().signal,
      )
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.param, 'max_tokens');
  });

  it('refuses a prompt longer than the context with context_length_exceeded', async () => {
    const error = await model
      .doGenerate(
        { messages: [{ role: 'user', content: 'word '.repeat(2_000) }] },
        new AbortController().signal,
      )
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.code, 'context_length_exceeded');
  });

  it('renders offered tools into the prompt through the chat template', async () => {
    const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const plain = await model.doGenerate({ messages, maxOutputTokens: 4 }, new AbortController().signal);
    const withTools = await model.doGenerate(
      { messages, tools, maxOutputTokens: 4 },
      new AbortController().signal,
    );
    assert.ok(
      withTools.usage.inputTokens > plain.usage.inputTokens + 50,
      `${withTools.usage.inputTokens} vs ${plain.usage.inputTokens}`,
    );
    const withoutTools = await model.doGenerate(
      { messages, tools, toolChoice: 'none', maxOutputTokens: 4 },
      new AbortController().signal,
    );
    assert.equal(withoutTools.usage.inputTokens, plain.usage.inputTokens);
  });

  it('enforces a JSON schema with a grammar so the output validates', async () => {
    const schema = {
      type: 'object',
      properties: { label: { enum: ['billing', 'shipping', 'other'] }, urgent: { type: 'boolean' } },
      required: ['label', 'urgent'],
    };
    const result = await model.doGenerate(
      {
        messages: [{ role: 'user', content: 'My parcel is late' }],
        maxOutputTokens: 40,
        responseFormat: { type: 'json_schema', name: 'ticket', schema },
      },
      new AbortController().signal,
    );
    const value = JSON.parse(result.text) as { label: string; urgent: boolean };
    assert.ok(['billing', 'shipping', 'other'].includes(value.label));
    assert.equal(typeof value.urgent, 'boolean');
  });
});

describe('LlamaCppChatModel forcing a tool call', () => {
  let model: LlamaCppChatModel;
  before(async () => {
    model = await loadStories({ contextSize: 1024 });
  });
  after(() => model.close());
  const tools = [
    {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', maxLength: 12 }, unit: { enum: ['c', 'f'] } },
        required: ['city', 'unit'],
      },
    },
    {
      name: 'get_time',
      parameters: {
        type: 'object',
        properties: { zone: { type: 'string', maxLength: 8 } },
        required: ['zone'],
      },
    },
  ];
  /** The arguments fit the called tool's schema: the grammar allows nothing else. */
  function assertFits(call: { name: string; arguments: string }) {
    const value = JSON.parse(call.arguments) as Record<string, string>;
    if (call.name === 'get_weather') {
      assert.ok(['c', 'f'].includes(value.unit ?? ''), call.arguments);
      assert.ok(typeof value.city === 'string' && value.city.length <= 12, call.arguments);
    } else {
      assert.equal(call.name, 'get_time');
      assert.ok(typeof value.zone === 'string' && value.zone.length <= 8, call.arguments);
    }
  }

  for (const toolChoice of ['required', { name: 'get_time' }] as const) {
    it(`answers tool_choice ${JSON.stringify(toolChoice)} with one call, whole and streamed`, async () => {
      const request = {
        messages: [{ role: 'user' as const, content: 'What time is it in Oslo?' }],
        tools,
        toolChoice,
        maxOutputTokens: 80,
      };
      const result = await model.doGenerate(request, new AbortController().signal);
      assert.equal(result.text, '');
      assert.equal(result.finishReason, 'tool-calls');
      assert.equal(result.toolCalls.length, 1);
      assertFits(result.toolCalls[0]!);
      if (typeof toolChoice === 'object') assert.equal(result.toolCalls[0]?.name, 'get_time');

      const call = { id: '', name: '', arguments: '' };
      let finish: string | undefined;
      for await (const part of model.doStream(request, new AbortController().signal)) {
        assert.notEqual(part.type, 'text-delta', 'a forced call streams no text');
        if (part.type === 'tool-call-delta') {
          assert.equal(part.index, 0);
          call.id ||= part.id ?? '';
          call.name ||= part.name ?? '';
          call.arguments += part.argumentsDelta;
        }
        if (part.type === 'finish') finish = part.finishReason;
      }
      assert.equal(finish, 'tool-calls');
      assert.match(call.id, /^call_/);
      assert.deepEqual(
        { name: call.name, arguments: JSON.parse(call.arguments) },
        { name: result.toolCalls[0]?.name, arguments: JSON.parse(result.toolCalls[0]?.arguments ?? '') },
        'greedy: the streamed call is the whole one',
      );
    });
  }

  it('refuses to force a function that is not among the tools', async () => {
    const error = await model
      .doGenerate(
        { messages: [{ role: 'user', content: 'hi' }], tools, toolChoice: { name: 'launch' } },
        new AbortController().signal,
      )
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.param, 'tool_choice');
  });
});

describe('LlamaCppChatModel with parallel sequences', () => {
  it('serves more concurrent requests than sequences, back to back, each with its own exact usage', async () => {
    const model = await loadStories({
      contextSize: 256,
      parallel: 2,
      queue: { maxWaiting: 16, timeoutMs: 10_000 },
    });
    try {
      const request = {
        messages: [{ role: 'user' as const, content: 'Once upon a time' }],
        maxOutputTokens: 6,
      };
      // A freed sequence used to come back only after an asynchronous cleanup ("No sequences left").
      const results = await Promise.all(
        Array.from({ length: 8 }, () => model.doGenerate(request, new AbortController().signal)),
      );
      const [first] = results;
      for (const result of results) {
        // Same prompt, greedy decoding: the same answer and the same per-request usage every time.
        assert.equal(result.text, first?.text);
        assert.deepEqual(result.usage, first?.usage);
      }
      assert.ok((first?.usage.outputTokens ?? 0) > 0 && (first?.usage.outputTokens ?? 0) <= 6);
      // The two running requests' tokens went into shared batches, held until both had queued.
      assert.ok(model.batchGate.released.shared > 0, JSON.stringify(model.batchGate.released));
    } finally {
      await model.close();
    }
  });
});
