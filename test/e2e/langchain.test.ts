import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AIMessage, type AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { type HybridCliServer, startHybridCliServer } from '../support/start-hybrid-cli-server.js';

/** The embedded model by name, and the fake cloud model by name. */
const MODELS = ['local', 'cloud'] as const;

// The embedded test model writes nonsense: these check shapes and parsing, never answer quality.
const weather = tool(async ({ city }) => `21C and sunny in ${city}`, {
  name: 'get_weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string().max(20), unit: z.enum(['c', 'f']).optional() }),
});
// Bounds the grammar enforces (lengths, enums), so the embedded model's answer always fits.
const answer = z.object({
  answer: z.string().max(16).describe('the answer'),
  confidence: z.number(),
  note: z.string().max(8).nullable().optional(),
});

function assertUsage(usage: { input_tokens: number; output_tokens: number } | undefined, maxOutput: number) {
  assert.ok(usage, 'usage_metadata is present');
  assert.ok(Number.isInteger(usage.input_tokens) && usage.input_tokens > 0, `input ${usage.input_tokens}`);
  assert.ok(
    Number.isInteger(usage.output_tokens) && usage.output_tokens > 0 && usage.output_tokens <= maxOutput,
    `output ${usage.output_tokens}`,
  );
}

describe('the built CLI driven by LangChain JS (@langchain/openai)', () => {
  let server: HybridCliServer;
  const chat = (model: string, options: { maxTokens?: number } = {}) =>
    new ChatOpenAI({
      model,
      apiKey: 'unused',
      configuration: { baseURL: server.baseUrl },
      maxRetries: 0,
      temperature: 0,
      ...options,
    });

  before(async () => {
    server = await startHybridCliServer();
  });
  after(() => server?.stop());

  for (const model of MODELS) {
    it(`answers plain text with usage on ${model}`, async () => {
      const message = await chat(model, { maxTokens: 6 }).invoke('Once upon a time');
      assert.equal(typeof message.content, 'string');
      assert.ok((message.content as string).length > 0);
      assertUsage(message.usage_metadata, 6);
    });

    it(`streams text and reports usage at the end (streamUsage) on ${model}`, async () => {
      let merged: AIMessageChunk | undefined;
      let chunks = 0;
      for await (const chunk of await chat(model, { maxTokens: 6 }).stream('Once upon a time')) {
        merged = merged ? merged.concat(chunk) : chunk;
        chunks += 1;
      }
      assert.ok(chunks > 1, `${chunks} chunks`);
      assert.ok(typeof merged?.content === 'string' && merged.content.length > 0);
      assertUsage(merged?.usage_metadata, 6);
    });

    it(`returns structured output that parses with the zod schema (jsonSchema) on ${model}`, async () => {
      const structured = chat(model, { maxTokens: 200 }).withStructuredOutput(answer, {
        method: 'jsonSchema',
        name: 'answer',
      });
      const value = await structured.invoke('What is six times seven?');
      assert.equal(answer.safeParse(value).success, true, JSON.stringify(value));
    });

    it(`takes a whole tool round trip in LangChain's message shapes on ${model}`, async () => {
      const withTools = chat(model, { maxTokens: 24 }).bindTools([weather]);
      const question = new HumanMessage('Weather in Paris?');
      const first = await withTools.invoke([question]);
      for (const call of first.tool_calls ?? []) {
        assert.equal(call.name, 'get_weather');
        assert.equal(typeof call.args.city, 'string', JSON.stringify(call.args));
      }
      // Whether the model called the tool unforced is its choice: without a call, one is made up so
      // the tool-result turn is sent either way.
      const call = first.tool_calls?.[0] ?? { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } };
      const calling = first.tool_calls?.length ? first : new AIMessage({ content: '', tool_calls: [call] });
      const second = await withTools.invoke([
        question,
        calling,
        new ToolMessage({ tool_call_id: call.id ?? 'call_1', content: '21C and sunny' }),
      ]);
      assert.equal(typeof second.content, 'string');
    });
  }

  // The embedded model is held to a call by a grammar over the tools: it cannot answer in text.
  it('returns structured output through a forced function call (functionCalling) on local', async () => {
    const structured = chat('local', { maxTokens: 200 }).withStructuredOutput(answer, {
      method: 'functionCalling',
      name: 'answer',
    });
    const value = await structured.invoke('What is six times seven?');
    assert.equal(answer.safeParse(value).success, true, JSON.stringify(value));
  });

  const clock = tool(async ({ zone }) => `noon in ${zone}`, {
    name: 'get_time',
    description: 'The time in a time zone',
    schema: z.object({ zone: z.string().max(12) }),
  });
  for (const [label, toolChoice] of [
    ['required', 'required'],
    ['named', 'get_time'],
  ] as const) {
    it(`makes a ${label} tool call on local, whole and streamed`, async () => {
      const withTools = chat('local', { maxTokens: 80 }).bindTools([weather, clock], {
        tool_choice: toolChoice,
      });
      const message = await withTools.invoke('What time is it in Paris?');
      let merged: AIMessageChunk | undefined;
      for await (const chunk of await withTools.stream('What time is it in Paris?')) {
        merged = merged ? merged.concat(chunk) : chunk;
      }
      for (const calls of [message.tool_calls, merged?.tool_calls]) {
        assert.equal(calls?.length, 1, JSON.stringify(calls));
        const [call] = calls ?? [];
        if (label === 'named') assert.equal(call?.name, 'get_time');
        const tool = call?.name === 'get_time' ? clock : weather;
        assert.equal(tool.schema.safeParse(call?.args).success, true, JSON.stringify(call?.args));
      }
    });
  }

  it('surfaces a refused schema as a 400 naming the tool parameters', async () => {
    const broken = {
      type: 'function' as const,
      function: {
        name: 'lookup',
        parameters: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'banana' },
      },
    };
    await assert.rejects(
      chat('local').bindTools([broken]).invoke('hi'),
      (error: Error & { status?: number }) => {
        assert.equal(error.status, 400);
        assert.match(error.message, /Invalid schema for 'tools\[0\]\.function\.parameters'/);
        return true;
      },
    );
  });

  it('parses the arguments of a tool call from the cloud model', async () => {
    const message = await chat('cloud').bindTools([weather]).invoke('Weather in Paris?');
    assert.deepEqual(message.tool_calls?.[0]?.args, { city: 'Paris' });
    assert.equal(message.tool_calls?.[0]?.name, 'get_weather');
    const sent = server.upstream.requests.at(-1)?.body as {
      tools: { function: { parameters: { $schema?: string } } }[];
    };
    // LangChain sends zod 4's JSON Schema, draft 2020-12, which the gateway passes on unchanged.
    assert.equal(sent.tools[0]!.function.parameters.$schema, 'https://json-schema.org/draft/2020-12/schema');
  });
});
