import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { FakeUpstream } from '../support/fake-upstream.js';
import { startCliServer } from '../support/start-cli-server.js';

const gguf = fileURLToPath(new URL('../../../shared/models/stories260K.gguf', import.meta.url));

describe('the built CLI driven by the official openai SDK', () => {
  let upstream: FakeUpstream;
  let server: Awaited<ReturnType<typeof startCliServer>>;
  let client: OpenAI;
  let dir: string;

  before(async () => {
    upstream = await FakeUpstream.start();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-'));
    const config = join(dir, 'switchyard.yaml');
    writeFileSync(
      config,
      `models:
  local:
    provider: llama-cpp
    model: ${gguf}
    contextSize: 2048
    threads: 1
    gpu: false
    queue: { maxWaiting: 0 }
  cloud:
    provider: openai-compatible
    baseUrl: ${upstream.url}/v1
    model: gpt-4o-mini
    apiKeyEnv: E2E_CLOUD_KEY
routing:
  default: local
  aliases: { gpt-4o: auto, gpt-4o-mini: cloud }
logging: { level: warn }
`,
    );
    server = await startCliServer(['--config', config], { E2E_CLOUD_KEY: 'sk-e2e' });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  after(async () => {
    await server?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists auto, the models and the aliases', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids, ['auto', 'local', 'cloud', 'gpt-4o', 'gpt-4o-mini']);
  });

  it('answers a non-streaming chat on the embedded model, with headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 12 })
      .withResponse();
    assert.equal(response.headers.get('x-switchyard-model'), 'local');
    assert.ok(response.headers.get('x-request-id'));
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'stories260K');
    assert.equal(typeof data.choices[0]?.message.content, 'string');
    assert.equal(data.usage?.completion_tokens, 12);
    assert.equal(data.choices[0]?.finish_reason, 'length');
  });

  it('streams a chat on the embedded model with a final usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'local',
      messages: [{ role: 'user', content: 'Once upon a time' }],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      usage = chunk.usage ?? usage;
    }
    assert.ok(text.length > 0);
    assert.equal(finish, 'length');
    assert.equal(usage?.completion_tokens, 16);
  });

  it('round-trips a tool call through the cloud model', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    const call = first.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
    messages.push(first.choices[0]!.message, {
      role: 'tool',
      tool_call_id: call.id,
      content: '21C and sunny',
    });
    const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    assert.equal(second.choices[0]?.message.content, 'It is sunny in Paris.');
    assert.equal(upstream.requests.at(-1)?.headers.authorization, 'Bearer sk-e2e');
  });

  it('returns a JSON-schema response from the cloud model and from the embedded model', async () => {
    const responseFormat = {
      type: 'json_schema' as const,
      json_schema: {
        name: 'answer',
        schema: {
          type: 'object',
          properties: { answer: { type: 'string', maxLength: 20 } },
          required: ['answer'],
        },
      },
    };
    for (const model of ['gpt-4o-mini', 'local']) {
      const result = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'What is six times seven?' }],
        response_format: responseFormat,
        max_tokens: 60,
      });
      const value = JSON.parse(result.choices[0]?.message.content ?? '') as { answer: unknown };
      assert.equal(typeof value.answer, 'string', `${model} answered ${result.choices[0]?.message.content}`);
    }
  });

  it('stops the generation when the client aborts mid-stream, and stays healthy', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model: 'local',
        messages: [{ role: 'user', content: 'Once upon a time' }],
        max_tokens: 1800,
        stream: true,
      },
      { signal: controller.signal },
    );
    let chunks = 0;
    // The SDK ends the iteration quietly once its signal aborts.
    for await (const _chunk of stream) {
      chunks++;
      controller.abort();
    }
    assert.ok(chunks >= 1);
    // The embedded model serves one request at a time and queues none (maxWaiting: 0), so a new
    // request succeeds only once the aborted generation has really stopped. Left running, 1,800
    // tokens would hold the slot for seconds.
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 1_000) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'local', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
      });
      status = response.status;
      await response.arrayBuffer();
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(status, 200, 'the slot was freed by the abort');
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const code = await server.stop();
    assert.equal(code, 0, server.output());
  });
});
