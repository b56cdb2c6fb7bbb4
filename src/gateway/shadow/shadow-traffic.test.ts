import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  createOpenAIAnswer,
  type FakeReply,
  type FakeUpstream,
} from '../../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../../test/support/start-test-gateway.js';

type Json = Record<string, unknown>;
type Row = Record<string, unknown>;

const directory = mkdtempSync(join(tmpdir(), 'switchyard-shadow-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Answers chosen per prompt, so whether two models agree is known in advance. */
const CLOUD_ANSWERS: Record<string, string> = { capital: 'Paris is the capital.', color: 'The sky is blue.' };
const LOCAL_ANSWERS: Record<string, string> = { capital: 'paris is the capital', color: 'Green, mostly.' };

function answerFrom(answers: Record<string, string>, delayMs = 0) {
  return (body: Json): FakeReply => {
    const messages = body.messages as { content: string }[];
    const prompt = messages.at(-1)?.content ?? '';
    const key = Object.keys(answers).find((word) => prompt.includes(word)) ?? 'capital';
    return {
      ...createOpenAIAnswer({ content: answers[key], usage: { prompt: 10, completion: 5 } }),
      delayMs,
    };
  };
}

let files = 0;
type ShadowEntry = { from: string; to: string; sample: number; maxConcurrent?: number; judge?: string };

async function startShadowGateway(
  shadow: ShadowEntry[],
  options: { localDelayMs?: number; routing?: Json } = {},
) {
  files += 1;
  const gateway = await startTestGateway({
    upstreams: ['cloud', 'local', 'judge'],
    listen: true,
    requestLogPath: join(directory, `shadow-${files}.db`),
    config: (urls) => ({
      models: {
        cloud: {
          provider: 'openai-compatible',
          baseUrl: urls.cloud as string,
          model: 'gpt-4o-mini',
          price: { inputPerMillion: 1000, outputPerMillion: 2000 },
        },
        local: { provider: 'openai-compatible', baseUrl: urls.local as string, model: 'qwen', local: true },
        judge: { provider: 'openai-compatible', baseUrl: urls.judge as string, model: 'gpt-4o' },
      },
      routing: { default: 'cloud', retries: { maxRetries: 0 }, shadow, ...options.routing },
      storage: { flushIntervalMs: 10, content: 'full' },
    }),
  });
  const upstream = (name: string) => gateway.upstreams[name] as FakeUpstream;
  // Every call of a model gets its per-prompt answer.
  for (let index = 0; index < 400; index += 1) {
    upstream('cloud').replyWith(answerFrom(CLOUD_ANSWERS));
    upstream('local').replyWith(answerFrom(LOCAL_ANSWERS, options.localDelayMs));
  }
  return gateway;
}

function ask(
  gateway: TestGateway,
  prompt: string,
  agent?: Agent,
): Promise<{ status: number; headers: Json; body: Json; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${gateway.url}/v1/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, ...(agent ? { agent } : {}) },
      (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: JSON.parse(text),
            ms: performance.now() - started,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: prompt }] }));
  });
}

/** The shadow rows, once `count` of them are written (shadow calls finish after their answers). */
async function readShadowRows(gateway: TestGateway, count: number, timeoutMs = 5_000): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await gateway.requestLog?.flush();
    const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
    const rows = database.prepare('SELECT * FROM shadow_pairs ORDER BY created_at').all() as Row[];
    database.close();
    if (rows.length >= count || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('shadow traffic', () => {
  it('scores each sampled answer against the same request on the other model, as a costed shadow attempt', async () => {
    const gateway = await startShadowGateway([{ from: 'cloud', to: 'local', sample: 1 }]);
    try {
      const agreed = await ask(gateway, 'What is the capital of France?');
      const disagreed = await ask(gateway, 'What color is the sky?');
      const rows = await readShadowRows(gateway, 2);
      const byRequest = new Map(rows.map((row) => [row.request_id, row]));
      const first = byRequest.get(agreed.headers['x-request-id']) as Row;
      const second = byRequest.get(disagreed.headers['x-request-id']) as Row;
      assert.deepEqual([first.exact_match, first.normalized_match, first.agreement], [0, 1, 1]);
      assert.deepEqual([second.normalized_match, second.agreement], [0, 0]);
      assert.equal(first.shadow_content, 'paris is the capital');
      assert.ok(Number(second.similarity) < Number(first.similarity));
      // The shadow call is an attempt of its request: role shadow, after the request's own.
      const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
      const attempts = database
        .prepare(
          'SELECT model, role, attempt_index, cost_usd FROM attempts WHERE request_id = ? ORDER BY attempt_index',
        )
        .all(agreed.headers['x-request-id']);
      const request = database
        .prepare('SELECT cost_usd FROM requests WHERE id = ?')
        .get(agreed.headers['x-request-id']) as Row;
      database.close();
      assert.deepEqual(attempts, [
        { model: 'cloud', role: 'primary', attempt_index: 0, cost_usd: 0.02 },
        { model: 'local', role: 'shadow', attempt_index: 1, cost_usd: 0 },
      ]);
      assert.equal(request.cost_usd, 0.02, "the shadow's cost is not the request's");
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      assert.match(
        metrics,
        /^switchyard_shadow_pairs_total\{from="cloud",to="local",route="cloud",task_type="[a-z_]+",agreement="agree"\} 1$/m,
      );
      assert.match(
        metrics,
        /^switchyard_shadow_pairs_total\{from="cloud",to="local",route="cloud",task_type="[a-z_]+",agreement="disagree"\} 1$/m,
      );
    } finally {
      await gateway.close();
    }
  });

  it('leaves the client path as it is: same answer and headers, and no wait for a slow shadow', async () => {
    const plain = await startShadowGateway([]);
    const shadowed = await startShadowGateway([{ from: 'cloud', to: 'local', sample: 1 }], {
      localDelayMs: 800,
    });
    try {
      const without = await ask(plain, 'What is the capital of France?');
      const withShadow = await ask(shadowed, 'What is the capital of France?');
      const strip = (answer: { headers: Json; body: Json }) => ({
        body: { ...answer.body, id: undefined, created: undefined },
        headers: Object.fromEntries(
          Object.entries(answer.headers).filter(([name]) => name.startsWith('x-switchyard')),
        ),
      });
      assert.deepEqual(strip(withShadow), strip(without));
      assert.ok(withShadow.ms < 600, `the client waited ${withShadow.ms} ms for an 800 ms shadow`);
      assert.equal((await readShadowRows(shadowed, 1)).length, 1, 'the shadow still finished');
    } finally {
      await Promise.all([plain.close(), shadowed.close()]);
    }
  });

  it('keeps going when the client leaves, and drops samples past maxConcurrent, counting them', async () => {
    const gateway = await startShadowGateway([{ from: 'cloud', to: 'local', sample: 1, maxConcurrent: 1 }], {
      localDelayMs: 300,
    });
    try {
      const agent = new Agent({ keepAlive: false });
      await Promise.all(
        Array.from({ length: 5 }, () => ask(gateway, 'What is the capital of France?', agent)),
      );
      agent.destroy();
      const rows = await readShadowRows(gateway, 1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal((await readShadowRows(gateway, 1)).length, 1);
      assert.equal(rows[0]?.status, 'ok', 'the shadow call outlived its client');
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      assert.match(metrics, /^switchyard_shadow_dropped_total\{from="cloud",to="local"\} 4$/m);
    } finally {
      await gateway.close();
    }
  });

  it('samples the configured share', async () => {
    const gateway = await startShadowGateway([
      { from: 'cloud', to: 'local', sample: 0.3, maxConcurrent: 1000 },
    ]);
    try {
      for (let index = 0; index < 200; index += 1) await ask(gateway, 'What is the capital of France?');
      const rows = await readShadowRows(gateway, 200, 1_000);
      // Binomial(200, 0.3): mean 60, standard deviation 6.5; these bounds are 4 deviations out.
      assert.ok(rows.length >= 34 && rows.length <= 86, `${rows.length} of 200 shadowed`);
    } finally {
      await gateway.close();
    }
  });

  it('never sends a request residency keeps local to a shadow that is not local', async () => {
    const gateway = await startShadowGateway([{ from: 'local', to: 'cloud', sample: 1 }], {
      routing: { default: 'local', residency: { pii: 'local' } },
    });
    try {
      await ask(gateway, 'What is the capital of France?');
      await ask(gateway, 'Wire it to DE89370400440532013000, what is the capital?');
      const rows = await readShadowRows(gateway, 2, 1_000);
      assert.equal(rows.length, 1);
      assert.equal(
        (gateway.upstreams.cloud as FakeUpstream).requests.some((entry) =>
          JSON.stringify(entry.body).includes('DE89'),
        ),
        false,
      );
    } finally {
      await gateway.close();
    }
  });

  it('asks the judge when one is configured, and takes its verdict', async () => {
    const gateway = await startShadowGateway([{ from: 'cloud', to: 'local', sample: 1, judge: 'judge' }]);
    try {
      (gateway.upstreams.judge as FakeUpstream).replyWith(createOpenAIAnswer({ content: 'AGREE' }));
      await ask(gateway, 'What color is the sky?');
      const [row] = await readShadowRows(gateway, 1);
      assert.deepEqual([row?.normalized_match, row?.judge_verdict, row?.agreement], [0, 'agree', 1]);
      const asked = (gateway.upstreams.judge as FakeUpstream).requests[0]?.body as {
        messages: { content: string }[];
      };
      assert.match(
        asked.messages[1]?.content ?? '',
        /Answer A:\nThe sky is blue\.\n\nAnswer B:\nGreen, mostly\./,
      );
    } finally {
      await gateway.close();
    }
  });
});
