import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import {
  APICallError,
  generateObject,
  generateText,
  type JSONSchema7,
  jsonSchema,
  type ModelMessage,
  Output,
  streamText,
  tool,
} from 'ai';
import { z } from 'zod';
import { type HybridCliServer, startHybridCliServer } from '../support/start-hybrid-cli-server.js';

/** The embedded model by name, and the fake cloud model by name. */
const MODELS = ['local', 'cloud'] as const;

// The embedded test model writes nonsense: these check shapes and parsing, never answer quality.
const weatherInput = z.object({ city: z.string().max(20), unit: z.enum(['c', 'f']).optional() });
const getWeather = tool({
  description: 'The weather in a city',
  inputSchema: weatherInput,
  execute: async ({ city }) => `21C and sunny in ${city}`,
});
// Bounds the grammar enforces (lengths, enums), so the embedded model's answer always fits.
const answer = z.object({
  answer: z.string().max(16).describe('the answer'),
  confidence: z.number(),
  note: z.string().max(8).nullable().optional(),
});

function assertUsage(usage: { inputTokens?: number; outputTokens?: number }, maxOutput: number) {
  const { inputTokens, outputTokens } = usage;
  assert.ok(Number.isInteger(inputTokens) && (inputTokens ?? 0) > 0, `input ${inputTokens}`);
  assert.ok(
    Number.isInteger(outputTokens) && (outputTokens ?? 0) > 0 && (outputTokens ?? 0) <= maxOutput,
    `output ${outputTokens}`,
  );
}

describe('the built CLI driven by the Vercel AI SDK (@ai-sdk/openai chat)', () => {
  let server: HybridCliServer;
  // The provider's default is the Responses API; the gateway speaks chat completions.
  const chat = (model: string) =>
    createOpenAI({ baseURL: server.baseUrl, apiKey: 'unused', name: 'switchyard' }).chat(model);

  before(async () => {
    server = await startHybridCliServer();
  });
  after(() => server?.stop());

  for (const model of MODELS) {
    it(`generates text with usage on ${model}`, async () => {
      const result = await generateText({
        model: chat(model),
        prompt: 'Once upon a time',
        maxOutputTokens: 6,
        temperature: 0,
        maxRetries: 0,
      });
      assert.ok(result.text.length > 0);
      assert.ok(['length', 'stop'].includes(result.finishReason), result.finishReason);
      assertUsage(result.usage, 6);
    });

    it(`streams text and resolves usage at the end on ${model}`, async () => {
      const result = streamText({ model: chat(model), prompt: 'Once upon a time', maxOutputTokens: 6 });
      let parts = 0;
      let text = '';
      for await (const delta of result.textStream) {
        parts += 1;
        text += delta;
      }
      assert.ok(parts > 1 && text.length > 0, `${parts} parts`);
      assertUsage(await result.usage, 6);
    });

    it(`returns an object that fits the zod schema with generateObject on ${model}`, async () => {
      const result = await generateObject({
        model: chat(model),
        schema: answer,
        prompt: 'What is six times seven?',
        maxOutputTokens: 200,
        maxRetries: 0,
      });
      assert.equal(answer.safeParse(result.object).success, true, JSON.stringify(result.object));
      assertUsage(result.usage, 200);
    });

    it(`returns a parsed Output.object from generateText on ${model}`, async () => {
      const result = await generateText({
        model: chat(model),
        output: Output.object({ schema: answer }),
        prompt: 'What is six times seven?',
        maxOutputTokens: 200,
        maxRetries: 0,
      });
      assert.equal(answer.safeParse(result.output).success, true, JSON.stringify(result.output));
    });

    it(`takes a whole tool round trip in the AI SDK's message shapes on ${model}`, async () => {
      const first = await generateText({
        model: chat(model),
        tools: { get_weather: getWeather },
        prompt: 'Weather in Paris?',
        maxOutputTokens: 24,
        maxRetries: 0,
      });
      for (const call of first.toolCalls) {
        assert.equal(call.toolName, 'get_weather');
        assert.equal(typeof (call.input as { city: unknown }).city, 'string', JSON.stringify(call.input));
      }
      // Whether the model called the tool unforced is its choice: the tool turns are written out.
      const messages: ModelMessage[] = [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'call_1',
              toolName: 'get_weather',
              output: { type: 'text', value: '21C and sunny' },
            },
          ],
        },
      ];
      const second = await generateText({
        model: chat(model),
        tools: { get_weather: getWeather },
        messages,
        maxOutputTokens: 24,
        maxRetries: 0,
      });
      assert.ok(second.text.length > 0 || second.toolCalls.length > 0);
    });
  }

  // The embedded model is held to a call by a grammar over the tools: it cannot answer in text.
  const timeInput = z.object({ zone: z.string().max(12) });
  const timeZone = tool({ description: 'The time in a time zone', inputSchema: timeInput });
  const forcedChoices = [
    ['required', 'required'],
    ['named', { type: 'tool', toolName: 'get_time' }],
  ] as const;
  for (const [label, toolChoice] of forcedChoices) {
    it(`makes a ${label} tool call on local that fits the tool's schema`, async () => {
      const result = await generateText({
        model: chat('local'),
        tools: { get_weather: getWeather, get_time: timeZone },
        toolChoice,
        prompt: 'What time is it in Paris?',
        maxOutputTokens: 80,
        maxRetries: 0,
      });
      assert.equal(result.toolCalls.length, 1, JSON.stringify(result.content));
      const [call] = result.toolCalls;
      if (label === 'named') assert.equal(call?.toolName, 'get_time');
      const schema = call?.toolName === 'get_time' ? timeInput : weatherInput;
      assert.equal(schema.safeParse(call?.input).success, true, JSON.stringify(call?.input));
      assert.equal(result.finishReason, 'tool-calls');
    });

    it(`streams a ${label} tool call on local with arguments that parse`, async () => {
      const result = streamText({
        model: chat('local'),
        tools: { get_weather: getWeather, get_time: timeZone },
        toolChoice,
        prompt: 'What time is it in Paris?',
        maxOutputTokens: 80,
        maxRetries: 0,
      });
      const calls = await result.toolCalls;
      assert.equal(calls.length, 1);
      assert.ok(['get_weather', 'get_time'].includes(calls[0]?.toolName ?? ''), calls[0]?.toolName);
      if (label === 'named') assert.equal(calls[0]?.toolName, 'get_time');
      assert.equal(typeof calls[0]?.input, 'object');
      assert.equal(await result.finishReason, 'tool-calls');
      assertUsage(await result.usage, 80);
    });
  }

  it('surfaces a refused schema as an APICallError with the OpenAI envelope naming the param', async () => {
    const broken = jsonSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'banana',
    } as JSONSchema7);
    const error = await generateObject({
      model: chat('local'),
      schema: broken,
      prompt: 'x',
      maxRetries: 0,
    }).catch((caught: unknown) => caught);
    assert.ok(APICallError.isInstance(error), String(error));
    assert.equal(error.statusCode, 400);
    const body = JSON.parse(error.responseBody ?? '{}') as { error: { code: string; param: string } };
    assert.deepEqual(
      { code: body.error.code, param: body.error.param },
      { code: 'invalid_schema', param: 'response_format.json_schema.schema' },
    );
  });

  it('parses a tool call from the cloud model and runs it, then answers', async () => {
    const result = await generateText({
      model: chat('cloud'),
      tools: { get_weather: getWeather },
      prompt: 'Weather in Paris?',
      stopWhen: ({ steps }) => steps.length >= 2,
      maxRetries: 0,
    });
    const [firstStep, lastStep] = result.steps;
    assert.deepEqual(firstStep?.toolCalls[0]?.input, { city: 'Paris' });
    assert.equal(firstStep?.toolResults[0]?.output, '21C and sunny in Paris');
    assert.equal(lastStep?.text, 'It is sunny in Paris.');
  });

  it('streams a tool call from the cloud model with parsed arguments', async () => {
    const result = streamText({
      model: chat('cloud'),
      tools: { get_weather: getWeather },
      prompt: 'Weather?',
    });
    const calls = await result.toolCalls;
    assert.deepEqual(calls[0]?.input, { city: 'Paris' });
    assertUsage(await result.usage, 100);
  });
});
