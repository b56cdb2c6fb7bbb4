import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatModel, ChatRequest, StreamPart } from '../contract/index.js';
import { isGatewayError } from '../errors/index.js';

export interface ProviderContractOptions {
  /** Creates the model under test (against a real GGUF or a real loopback server). */
  createModel(): Promise<ChatModel>;
  /** Whether this backend is expected to answer tool calls and JSON schemas here. */
  supportsToolCalls: boolean;
  /** Extra request fields every call needs (e.g. a low max_tokens for a slow model). */
  baseRequest?: Partial<ChatRequest>;
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/**
 * The behaviour every ChatModel must have, whatever its backend. Each provider's test runs this
 * against a real model or a real HTTP server on 127.0.0.1.
 */
export function runProviderContract(name: string, options: ProviderContractOptions): void {
  describe(`ChatModel contract: ${name}`, () => {
    let model: ChatModel;
    const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Once upon a time' },
      ],
      maxOutputTokens: 8,
      ...options.baseRequest,
      ...extra,
    });

    before(async () => {
      model = await options.createModel();
    });
    after(async () => {
      await model.close();
    });

    it('reports itself ready', () => {
      assert.equal(model.readiness().ready, true);
    });

    it('generates a text answer with upstream usage and a model id', async () => {
      const result = await model.doGenerate(request(), new AbortController().signal);
      assert.equal(typeof result.text, 'string');
      assert.ok(result.usage.inputTokens > 0, 'input tokens counted');
      assert.ok(result.usage.outputTokens > 0, 'output tokens counted');
      assert.equal(result.usage.source, 'upstream');
      assert.ok(result.modelId.length > 0);
      assert.ok(['stop', 'length'].includes(result.finishReason));
    });

    it('stops at maxOutputTokens and says so', async () => {
      const result = await model.doGenerate(request({ maxOutputTokens: 2 }), new AbortController().signal);
      assert.ok(result.usage.outputTokens <= 2, `generated ${result.usage.outputTokens} tokens`);
      assert.equal(result.finishReason, 'length');
    });

    it('streams deltas and ends with exactly one finish part carrying usage', async () => {
      const parts = await collect(model.doStream(request(), new AbortController().signal));
      const finishes = parts.filter((part) => part.type === 'finish');
      assert.equal(finishes.length, 1);
      assert.equal(parts.at(-1)?.type, 'finish');
      const finish = finishes[0] as Extract<StreamPart, { type: 'finish' }>;
      assert.ok(finish.usage.outputTokens > 0);
      const text = parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('');
      assert.ok(text.length > 0, 'some text was streamed');
    });

    it('stops a stream when the signal aborts, and serves the next request', async () => {
      const controller = new AbortController();
      let received = 0;
      await assert.rejects(async () => {
        for await (const part of model.doStream(request({ maxOutputTokens: 200 }), controller.signal)) {
          if (part.type === 'text-delta' && ++received === 1) controller.abort();
        }
      });
      const result = await model.doGenerate(request(), new AbortController().signal);
      assert.ok(result.usage.outputTokens > 0);
    });

    it('refuses a request whose signal is already aborted without calling the model', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(model.doGenerate(request(), controller.signal));
    });

    it('returns JSON that parses when asked for a json_schema', async () => {
      const schema = {
        type: 'object',
        properties: { answer: { type: 'string', maxLength: 12 } },
        required: ['answer'],
        additionalProperties: false,
      };
      const result = await model.doGenerate(
        request({ maxOutputTokens: 64, responseFormat: { type: 'json_schema', name: 'answer', schema } }),
        new AbortController().signal,
      );
      const value = JSON.parse(result.text) as { answer: unknown };
      assert.equal(typeof value.answer, 'string');
    });

    if (options.supportsToolCalls) {
      it('returns tool calls with JSON arguments and finish reason tool-calls', async () => {
        const result = await model.doGenerate(
          request({
            maxOutputTokens: 64,
            tools: [
              {
                name: 'get_weather',
                description: 'Weather for a city',
                parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
              },
            ],
          }),
          new AbortController().signal,
        );
        assert.equal(result.finishReason, 'tool-calls');
        assert.equal(result.toolCalls[0]?.name, 'get_weather');
        assert.equal(typeof JSON.parse(result.toolCalls[0]?.arguments ?? ''), 'object');
      });
    }

    it('throws gateway errors, not raw ones, for upstream failures it can classify', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await model.doGenerate(request(), controller.signal).catch((caught: unknown) => caught);
      assert.ok(error instanceof Error);
      assert.ok(isGatewayError(error) || error.name === 'AbortError', `got ${String(error)}`);
    });
  });
}
