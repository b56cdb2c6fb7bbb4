import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { countTokens as countO200kTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { type ChatExchange, postChat, sumMetric } from '../../test/support/chat-client.js';
import { createOpenAIAnswer, type FakeReply, type FakeUpstream } from '../../test/support/fake-upstream.js';
import { STORIES_GGUF, startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

type Json = Record<string, unknown>;
type Row = Record<string, unknown>;

interface Price {
  inputPerMillion: number;
  outputPerMillion: number;
  cachedInputPerMillion?: number;
  cacheWriteInputPerMillion?: number;
}

/** The configured prices, USD per million tokens; every expected cost below is computed from them. */
const PRICES = {
  cloud: { inputPerMillion: 1000, outputPerMillion: 2000 },
  claude: {
    inputPerMillion: 3000,
    outputPerMillion: 15000,
    cachedInputPerMillion: 300,
    cacheWriteInputPerMillion: 3750,
  },
  flaky: { inputPerMillion: 1000, outputPerMillion: 2000 },
  backup: { inputPerMillion: 2000, outputPerMillion: 4000 },
  slm: { inputPerMillion: 100, outputPerMillion: 200 },
  gpt4: { inputPerMillion: 5000, outputPerMillion: 20000 },
} satisfies Record<string, Price>;
const HOURLY_USD = 3.6;

interface Tokens {
  input: number;
  output: number;
  cached?: number;
  cacheWrite?: number;
}

/** USD for `tokens` at `price`; cached and cache-write input at their own rates when given. */
function priceTokens(tokens: Tokens, price: Price): number {
  const cached = tokens.cached ?? 0;
  const cacheWrite = tokens.cacheWrite ?? 0;
  const micro =
    (tokens.input - cached - cacheWrite) * price.inputPerMillion +
    cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
    cacheWrite * (price.cacheWriteInputPerMillion ?? price.inputPerMillion) +
    tokens.output * price.outputPerMillion;
  return micro / 1e6;
}

/** OpenAI's documented framing: 3 tokens per message plus 3 to prime the reply. */
function countOpenAIPromptTokens(messages: { content: string }[]): number {
  return 3 + messages.reduce((total, message) => total + countO200kTokens(message.content) + 3, 0);
}

const USAGE = { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 };
const UPSTREAM_TOKENS: Tokens = { input: 21, output: 9 };

type UsagePlacement = 'own-chunk' | 'finish-chunk';

/** An OpenAI-compatible answer reporting USAGE: JSON, or chunks in the order OpenAI sends them. */
function openAIReply(
  options: {
    text?: string[];
    toolCall?: { name: string; arguments: string[] };
    placement?: UsagePlacement;
    model?: string;
  } = {},
) {
  return (body: Json): FakeReply => {
    const model = options.model ?? 'gpt-4o-mini-2024-07-18';
    const text = options.text ?? ['Hello', ' from', ' the', ' cloud.'];
    const finishReason = options.toolCall ? 'tool_calls' : 'stop';
    if (!body.stream) {
      const message: Json = { role: 'assistant', content: options.toolCall ? null : text.join('') };
      if (options.toolCall) {
        message.tool_calls = [
          {
            id: 'call_1',
            type: 'function',
            function: { name: options.toolCall.name, arguments: options.toolCall.arguments.join('') },
          },
        ];
      }
      return {
        json: {
          id: 'c',
          object: 'chat.completion',
          model,
          choices: [{ index: 0, message, finish_reason: finishReason }],
          usage: USAGE,
        },
      };
    }
    const chunk = (delta: Json, finish: string | null = null, extra: Json = {}) =>
      JSON.stringify({
        id: 'c',
        object: 'chat.completion.chunk',
        model,
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      });
    const events = [chunk({ role: 'assistant', content: '' })];
    if (options.toolCall) {
      const [first, ...rest] = options.toolCall.arguments;
      events.push(
        chunk({
          tool_calls: [
            {
              index: 0,
              id: 'call_1',
              type: 'function',
              function: { name: options.toolCall.name, arguments: first },
            },
          ],
        }),
      );
      for (const part of rest)
        events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
    } else {
      for (const part of text) events.push(chunk({ content: part }));
    }
    if (options.placement === 'finish-chunk') {
      events.push(chunk({}, finishReason, { usage: USAGE }));
    } else {
      events.push(chunk({}, finishReason));
      events.push(
        JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model, choices: [], usage: USAGE }),
      );
    }
    events.push('[DONE]');
    return { sse: events };
  };
}

/** Claude's usage: 12 uncached, 100 cache-read and 10 cache-write input tokens, 9 output tokens. */
const CLAUDE_TOKENS: Tokens = { input: 122, cached: 100, cacheWrite: 10, output: 9 };

/**
 * Claude's answer. `usageIn: 'start'` reports input in message_start (as Anthropic does for plain
 * answers); `'delta'` reports it again, cumulatively, in message_delta (as it does with server tools).
 */
function anthropicReply(usageIn: 'start' | 'delta') {
  return (body: Json): FakeReply => {
    const usage = { input_tokens: 12, cache_read_input_tokens: 100, cache_creation_input_tokens: 10 };
    const model = 'claude-haiku-4-5-20251001';
    if (!body.stream) {
      return {
        json: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text: 'Hello from Claude.' }],
          stop_reason: 'end_turn',
          usage: { ...usage, output_tokens: 9 },
        },
      };
    }
    const startUsage =
      usageIn === 'start' ? { ...usage, output_tokens: 1 } : { input_tokens: 12, output_tokens: 1 };
    const deltaUsage = usageIn === 'start' ? { output_tokens: 9 } : { ...usage, output_tokens: 9 };
    const events: Json[] = [
      { type: 'message_start', message: { id: 'msg_1', model, usage: startUsage } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello from' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' Claude.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: deltaUsage },
      { type: 'message_stop' },
    ];
    return { sse: events.map((event) => JSON.stringify(event)) };
  };
}

const MESSAGES = [{ role: 'user', content: 'Say hello to the team' }];
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

interface Expected {
  /** USD the request's attempts cost together; `hourly` for a busy-time price (bounded, not exact). */
  cost: number | 'hourly';
  /** USD the baseline model would have charged for the answer's tokens. */
  baseline: number;
}

interface CostCase {
  name: string;
  body: Json;
  /** Scripts the upstreams' next answers (called again for the unstreamed twin). */
  script(gateway: TestGateway): void;
  /** The expected figures, from the usage the upstreams reported (or the row's own, when counted). */
  expect(row: Row): Expected;
  /** Also send the same request unstreamed, which must cost the same. */
  unstreamedTwin?: boolean;
  abortAfterEvents?: number;
  check?(exchange: ChatExchange, row: Row): void;
}

const baselineOf = (tokens: Tokens) => priceTokens(tokens, PRICES.gpt4);
const rowTokens = (row: Row): Tokens => ({
  input: row.input_tokens as number,
  output: row.output_tokens as number,
  cached: row.cached_input_tokens as number,
});
const upstream = (gateway: TestGateway, name: string) => gateway.upstreams[name] as FakeUpstream;

function readUsageChunks(exchange: ChatExchange): Json[] {
  return exchange.events.filter(
    (event): event is Json =>
      typeof event === 'object' && event !== null && 'usage' in event && (event as Json).usage !== null,
  );
}

const CASES: CostCase[] = [
  {
    name: 'an OpenAI-compatible stream with usage in its own chunk, client without include_usage',
    body: { model: 'cloud', stream: true, messages: MESSAGES },
    script: (gateway) => upstream(gateway, 'cloud').replyWith(openAIReply({ placement: 'own-chunk' })),
    expect: () => ({
      cost: priceTokens(UPSTREAM_TOKENS, PRICES.cloud),
      baseline: baselineOf(UPSTREAM_TOKENS),
    }),
    unstreamedTwin: true,
    check: (exchange) =>
      assert.equal(readUsageChunks(exchange).length, 0, 'the client did not ask for usage'),
  },
  {
    name: 'an OpenAI-compatible stream with usage in its own chunk, client with include_usage',
    body: { model: 'cloud', stream: true, stream_options: { include_usage: true }, messages: MESSAGES },
    script: (gateway) => upstream(gateway, 'cloud').replyWith(openAIReply({ placement: 'own-chunk' })),
    expect: () => ({
      cost: priceTokens(UPSTREAM_TOKENS, PRICES.cloud),
      baseline: baselineOf(UPSTREAM_TOKENS),
    }),
    check: (exchange) => {
      const usages = readUsageChunks(exchange).map((chunk) => chunk.usage as Json);
      assert.deepEqual(
        usages.map((usage) => [usage.prompt_tokens, usage.completion_tokens]),
        [[21, 9]],
      );
    },
  },
  {
    name: 'an OpenAI-compatible stream with usage inside its finish chunk',
    body: { model: 'cloud', stream: true, stream_options: { include_usage: true }, messages: MESSAGES },
    script: (gateway) => upstream(gateway, 'cloud').replyWith(openAIReply({ placement: 'finish-chunk' })),
    expect: () => ({
      cost: priceTokens(UPSTREAM_TOKENS, PRICES.cloud),
      baseline: baselineOf(UPSTREAM_TOKENS),
    }),
  },
  {
    name: 'a streamed tool call',
    body: { model: 'cloud', stream: true, messages: MESSAGES, tools: TOOLS },
    script: (gateway) =>
      upstream(gateway, 'cloud').replyWith(
        openAIReply({ toolCall: { name: 'get_weather', arguments: ['{"city":', '"Paris"}'] } }),
      ),
    expect: () => ({
      cost: priceTokens(UPSTREAM_TOKENS, PRICES.cloud),
      baseline: baselineOf(UPSTREAM_TOKENS),
    }),
    unstreamedTwin: true,
  },
  {
    name: 'an Anthropic stream (usage in message_start and message_delta)',
    body: { model: 'claude', stream: true, messages: MESSAGES },
    script: (gateway) => upstream(gateway, 'claude').replyWith(anthropicReply('start')),
    expect: () => ({ cost: priceTokens(CLAUDE_TOKENS, PRICES.claude), baseline: baselineOf(CLAUDE_TOKENS) }),
    unstreamedTwin: true,
  },
  {
    name: 'an Anthropic stream whose message_delta repeats the input usage',
    body: { model: 'claude', stream: true, messages: MESSAGES },
    script: (gateway) => upstream(gateway, 'claude').replyWith(anthropicReply('delta')),
    expect: () => ({ cost: priceTokens(CLAUDE_TOKENS, PRICES.claude), baseline: baselineOf(CLAUDE_TOKENS) }),
  },
  {
    name: 'the embedded model, free',
    body: { model: 'local', stream: true, max_tokens: 6, messages: [{ role: 'user', content: 'Once upon' }] },
    script: () => {},
    expect: (row) => ({ cost: 0, baseline: baselineOf(rowTokens(row)) }),
    check: (_, row) => {
      assert.equal(row.usage_source, 'upstream');
      assert.ok((row.output_tokens as number) > 0 && (row.output_tokens as number) <= 6);
    },
  },
  {
    name: 'the embedded model, priced per busy hour',
    body: {
      model: 'localHourly',
      stream: true,
      max_tokens: 6,
      messages: [{ role: 'user', content: 'Once upon' }],
    },
    script: () => {},
    expect: (row) => ({ cost: 'hourly', baseline: baselineOf(rowTokens(row)) }),
  },
  {
    name: 'a fallback after the first target failed before any byte',
    body: { model: 'flaky', stream: true, messages: MESSAGES },
    script: (gateway) => {
      upstream(gateway, 'flaky').replyWith({ status: 503, json: { error: { message: 'overloaded' } } });
      upstream(gateway, 'backup').replyWith(openAIReply({ model: 'backup-1' }));
    },
    // The failed attempt produced nothing billable; the fallback's answer is the whole cost.
    expect: () => ({
      cost: priceTokens(UPSTREAM_TOKENS, PRICES.backup),
      baseline: baselineOf(UPSTREAM_TOKENS),
    }),
    unstreamedTwin: true,
    check: (_, row) => assert.equal(row.final_model, 'backup'),
  },
  {
    name: 'an escalation with a buffered stream',
    body: { model: 'slm', stream: true, messages: MESSAGES },
    script: (gateway) => {
      upstream(gateway, 'slm').replyWith(
        createOpenAIAnswer({
          content: 'Hmm',
          tokenProbabilities: [0.1],
          usage: { prompt: 30, completion: 4 },
        }),
      );
      upstream(gateway, 'cloud').replyWith(openAIReply());
    },
    // Both answers were paid for: the small model's discarded one and the cloud's.
    expect: () => ({
      cost: priceTokens({ input: 30, output: 4 }, PRICES.slm) + priceTokens(UPSTREAM_TOKENS, PRICES.cloud),
      baseline: baselineOf(UPSTREAM_TOKENS),
    }),
    unstreamedTwin: true,
    check: (_, row) => assert.equal(row.escalated, 1),
  },
  {
    name: 'a stream the upstream cuts halfway (usage counted here)',
    body: { model: 'cloud', stream: true, messages: MESSAGES },
    script: (gateway) =>
      upstream(gateway, 'cloud').replyWith({
        sse: [
          JSON.stringify({
            id: 'c',
            model: 'gpt-4o-mini',
            choices: [{ index: 0, delta: { content: 'Hello' } }],
          }),
          JSON.stringify({
            id: 'c',
            model: 'gpt-4o-mini',
            choices: [{ index: 0, delta: { content: ' there, team' } }],
          }),
        ],
        destroyAfterSse: true,
      }),
    expect: () => {
      const tokens = {
        input: countOpenAIPromptTokens(MESSAGES),
        output: countO200kTokens('Hello there, team'),
      };
      return { cost: priceTokens(tokens, PRICES.cloud), baseline: baselineOf(tokens) };
    },
    check: (exchange, row) => {
      assert.equal(row.usage_source, 'counted');
      assert.notEqual(row.error_code, null);
      assert.ok(
        exchange.events.some((event) => typeof event === 'object' && event !== null && 'error' in event),
      );
    },
  },
  {
    name: 'a stream the client aborts (what was generated, counted)',
    body: { model: 'cloud', stream: true, messages: MESSAGES },
    script: (gateway) =>
      upstream(gateway, 'cloud').replyWith({
        sse: [
          JSON.stringify({
            id: 'c',
            model: 'gpt-4o-mini',
            choices: [{ index: 0, delta: { content: 'Hello team' } }],
          }),
          JSON.stringify({
            id: 'c',
            model: 'gpt-4o-mini',
            choices: [{ index: 0, delta: { content: ' never sent' } }],
          }),
        ],
        holdAfterFirstEvent: new Promise(() => {}),
      }),
    // The role chunk, then "Hello team": the client leaves after reading both.
    abortAfterEvents: 2,
    expect: () => {
      const tokens = { input: countOpenAIPromptTokens(MESSAGES), output: countO200kTokens('Hello team') };
      return { cost: priceTokens(tokens, PRICES.cloud), baseline: baselineOf(tokens) };
    },
    check: (_, row) => {
      assert.equal(row.status, 499);
      assert.equal(row.usage_source, 'counted');
    },
  },
];

const directory = mkdtempSync(join(tmpdir(), 'switchyard-stream-cost-'));
after(() => rmSync(directory, { recursive: true, force: true }));

async function startCostGateway(): Promise<TestGateway> {
  return startTestGateway({
    upstreams: ['cloud', 'flaky', 'backup', 'slm'],
    anthropicUpstreams: ['claude'],
    env: { ANTHROPIC_API_KEY: 'test-key' },
    listen: true,
    requestLogPath: join(directory, `${Math.random().toString(36).slice(2)}.db`),
    config: (urls) => ({
      models: {
        cloud: {
          provider: 'openai-compatible',
          baseUrl: urls.cloud as string,
          model: 'gpt-4o-mini',
          price: PRICES.cloud,
        },
        claude: {
          provider: 'anthropic',
          baseUrl: urls.claude as string,
          model: 'claude-haiku-4-5',
          price: PRICES.claude,
        },
        flaky: {
          provider: 'openai-compatible',
          baseUrl: urls.flaky as string,
          model: 'flaky-1',
          price: PRICES.flaky,
        },
        backup: {
          provider: 'openai-compatible',
          baseUrl: urls.backup as string,
          model: 'backup-1',
          price: PRICES.backup,
        },
        slm: {
          provider: 'openai-compatible',
          baseUrl: urls.slm as string,
          model: 'qwen',
          local: true,
          price: PRICES.slm,
        },
        local: { provider: 'llama-cpp', model: STORIES_GGUF, contextSize: 256, threads: 1, gpu: false },
        localHourly: {
          provider: 'llama-cpp',
          model: STORIES_GGUF,
          contextSize: 256,
          threads: 1,
          gpu: false,
          price: { hourly: HOURLY_USD },
        },
        // Never called: its price gives the counterfactual cost of an all-LLM deployment.
        gpt4: {
          provider: 'openai-compatible',
          baseUrl: 'http://127.0.0.1:1/v1',
          model: 'gpt-4',
          price: PRICES.gpt4,
        },
      },
      routing: {
        default: 'cloud',
        escalation: { from: 'slm', to: 'cloud', minConfidence: 0.5, applyTo: 'all' },
        fallbacks: { flaky: ['backup'] },
        retries: { maxRetries: 0 },
        baseline: 'gpt4',
      },
      storage: { flushIntervalMs: 10 },
    }),
  });
}

async function readMetrics(gateway: TestGateway): Promise<{ cost: number; baseline: number }> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return {
    cost: sumMetric(text, 'switchyard_cost_usd_total'),
    baseline: sumMetric(text, 'switchyard_baseline_cost_usd_total'),
  };
}

/** The request's row and its attempt rows, once written (a client that left is recorded a little later). */
async function readRow(gateway: TestGateway, id: string): Promise<{ row: Row; attempts: Row[] }> {
  for (let waited = 0; ; waited += 20) {
    await gateway.requestLog?.flush();
    const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
    const row = database.prepare('SELECT * FROM requests WHERE id = ?').get(id) as Row | undefined;
    const attempts = database
      .prepare('SELECT * FROM attempts WHERE request_id = ? ORDER BY attempt_index')
      .all(id) as Row[];
    database.close();
    if (row) return { row, attempts };
    if (waited > 5_000) throw new Error(`no row for request ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Equal to the nano-dollar, the precision of the cost headers. */
function assertUsd(actual: unknown, expected: number, what: string): void {
  assert.equal(
    typeof actual === 'string' ? actual !== 'unknown' : actual !== null,
    true,
    `${what} is unknown`,
  );
  assert.ok(Math.abs(Number(actual) - expected) < 5e-10, `${what}: ${String(actual)}, expected ${expected}`);
}

describe('streamed answers are costed exactly as unstreamed ones', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startCostGateway();
  });
  after(() => gateway.close());

  for (const testCase of CASES) {
    it(`costs ${testCase.name}`, async () => {
      testCase.script(gateway);
      const before = await readMetrics(gateway);
      const exchange = await postChat(gateway.url, testCase.body, {
        ...(testCase.abortAfterEvents ? { abortAfterEvents: testCase.abortAfterEvents } : {}),
      });
      assert.equal(exchange.status, 200);
      const { row, attempts } = await readRow(gateway, exchange.headers['x-request-id'] as string);
      const metrics = await readMetrics(gateway);
      const expected = testCase.expect(row);

      if (expected.cost === 'hourly') {
        // Busy time is this request's share of the model's time, never more than its own latency.
        const ceiling = ((row.latency_ms as number) / 3_600_000) * HOURLY_USD;
        assert.ok(
          (row.cost_usd as number) > 0 && (row.cost_usd as number) <= ceiling,
          `cost ${row.cost_usd}`,
        );
      } else {
        assertUsd(row.cost_usd, expected.cost, 'row cost');
      }
      assertUsd(row.baseline_cost_usd, expected.baseline, 'row baseline cost');
      const attemptTotal = attempts.reduce((total, attempt) => total + (attempt.cost_usd as number), 0);
      assertUsd(attemptTotal, row.cost_usd as number, 'attempt rows together');
      assertUsd(metrics.cost - before.cost, row.cost_usd as number, 'switchyard_cost_usd_total delta');
      assertUsd(metrics.baseline - before.baseline, row.baseline_cost_usd as number, 'baseline metric delta');
      if (!testCase.abortAfterEvents) {
        assertUsd(exchange.trailers['x-switchyard-cost-usd'], row.cost_usd as number, 'cost trailer');
        assertUsd(exchange.trailers['x-switchyard-baseline-cost-usd'], expected.baseline, 'baseline trailer');
      }
      for (const attempt of attempts.filter((candidate) => candidate.status === 'ok')) {
        // Closed when the attempt ended, not when the client had been answered.
        assert.ok((attempt.latency_ms as number) > 0, `attempt ${attempt.model} latency`);
        assert.ok((attempt.latency_ms as number) >= ((attempt.ttft_ms as number | null) ?? 0));
      }
      testCase.check?.(exchange, row);

      if (testCase.unstreamedTwin) {
        testCase.script(gateway);
        const twin = await postChat(gateway.url, { ...testCase.body, stream: false });
        assert.equal(twin.status, 200);
        assert.notEqual(expected.cost, 'hourly');
        assertUsd(twin.headers['x-switchyard-cost-usd'], expected.cost as number, 'unstreamed cost header');
        assertUsd(
          twin.headers['x-switchyard-baseline-cost-usd'],
          expected.baseline,
          'unstreamed baseline header',
        );
      }
    });
  }
});

type Placement = 'finish-chunk' | 'own-chunk' | 'first-content-chunk' | 'every-chunk';

/** One upstream answer of USAGE, cut into chunks at `cuts`, usage placed and repeated as told. */
function chunkAnswer(options: {
  cuts: number[];
  placement: Placement;
  nulls: boolean;
  repeat: boolean;
}): string[] {
  const text = 'Hello from the fake upstream, in pieces.';
  const bounds = [0, ...options.cuts, text.length];
  const pieces = bounds.slice(1).map((end, index) => text.slice(bounds[index], end));
  const chunk = (choices: Json[], usage: Json | null | undefined) =>
    JSON.stringify({
      id: 'c',
      object: 'chat.completion.chunk',
      model: 'gpt-4o-mini',
      choices,
      ...(usage !== undefined ? { usage } : options.nulls ? { usage: null } : {}),
    });
  const partial = (completed: number) => ({
    prompt_tokens: 21,
    completion_tokens: completed,
    total_tokens: 21 + completed,
  });
  const events: string[] = [];
  pieces.forEach((piece, index) => {
    const usage =
      options.placement === 'every-chunk'
        ? partial(Math.min(8, index))
        : options.placement === 'first-content-chunk' && index === 0
          ? USAGE
          : undefined;
    events.push(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }], usage));
  });
  const finishUsage =
    options.placement === 'finish-chunk' || options.placement === 'every-chunk' ? USAGE : undefined;
  events.push(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], finishUsage));
  if (options.placement === 'own-chunk') events.push(chunk([], USAGE));
  if (options.repeat && options.placement !== 'first-content-chunk') events.push(chunk([], USAGE));
  events.push('[DONE]');
  return events;
}

describe('random chunkings of one upstream answer', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startCostGateway();
  });
  after(() => gateway.close());

  it('give the same cost, however the usage is placed, repeated or nulled', async () => {
    const expected = priceTokens(UPSTREAM_TOKENS, PRICES.cloud);
    await fc.assert(
      fc.asyncProperty(
        fc
          .uniqueArray(fc.integer({ min: 1, max: 39 }), { maxLength: 12 })
          .map((cuts) => cuts.sort((a, b) => a - b)),
        fc.constantFrom<Placement>('finish-chunk', 'own-chunk', 'first-content-chunk', 'every-chunk'),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (cuts, placement, nulls, repeat, includeUsage) => {
          upstream(gateway, 'cloud').replyWith({ sse: chunkAnswer({ cuts, placement, nulls, repeat }) });
          const exchange = await postChat(gateway.url, {
            model: 'cloud',
            stream: true,
            ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
            messages: MESSAGES,
          });
          assertUsd(exchange.trailers['x-switchyard-cost-usd'], expected, 'cost trailer');
          const { row } = await readRow(gateway, exchange.headers['x-request-id'] as string);
          assertUsd(row.cost_usd, expected, 'row cost');
          assert.equal(row.output_tokens, 9);
          assert.equal(readUsageChunks(exchange).length, includeUsage ? 1 : 0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
