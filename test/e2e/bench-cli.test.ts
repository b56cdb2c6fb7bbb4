import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream } from '../support/fake-upstream.js';
import { runCli } from '../support/start-cli-server.js';

const stories = new URL('../../../shared/models/stories260K.gguf', import.meta.url).pathname;
const DELAY_MS = 40;

// The fake cloud knows the answer to every question but the last two.
const ITEMS = [
  { prompt: 'What is 2 + 2?', expected: '4', answer: 'The answer is 4.' },
  { prompt: 'Capital of France?', expected: 'Paris', answer: 'Paris.' },
  { prompt: 'Color of the sky?', expected: 'blue', answer: 'It is blue.' },
  { prompt: 'Opposite of hot?', expected: 'cold', answer: 'Cold.' },
  { prompt: 'Largest planet?', expected: 'Jupiter', answer: 'Saturn.' },
  { prompt: 'Author of Hamlet?', expected: 'Shakespeare', answer: 'Marlowe.' },
];

function chunk(delta: Record<string, unknown>, finish: string | null = null, usage?: Record<string, number>) {
  return JSON.stringify({
    id: 'x',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  });
}

describe('switchyard bench', () => {
  let upstream: FakeUpstream;
  let dir: string;
  let config: string;
  let dataset: string;

  before(async () => {
    upstream = await FakeUpstream.start((body) => {
      const question = (body.messages as { content: string }[]).at(-1)?.content;
      const answer = ITEMS.find((item) => item.prompt === question)?.answer ?? '?';
      return {
        delayMs: DELAY_MS,
        sse: [
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: answer }),
          chunk({}, 'stop'),
          chunk({}, null, { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 }),
          '[DONE]',
        ],
      };
    });
    dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
    config = join(dir, 'switchyard.yaml');
    writeFileSync(
      config,
      `models:
  local: { provider: llama-cpp, model: ${stories}, contextSize: 256, threads: 1, gpu: false, parallel: 2 }
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
routing: { default: local }
`,
    );
    dataset = join(dir, 'items.jsonl');
    writeFileSync(
      dataset,
      `${ITEMS.map(({ prompt, expected }) => JSON.stringify({ prompt, expected, max_tokens: 8 })).join('\n')}\n`,
    );
  });
  after(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('measures accuracy with its interval, latency, time to first token, cost, and writes the reports', async () => {
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await runCli([
      'bench',
      '--dataset',
      dataset,
      '--models',
      'local,cloud',
      '--config',
      config,
      '--scorer',
      'contains',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    const cloud = report.models.cloud;
    assert.equal(cloud.n, 6);
    assert.equal(cloud.accuracy, 0.6667);
    // Wilson 95% interval for 4 of 6.
    assert.deepEqual(cloud.accuracyCi95, [0.3, 0.9032]);
    assert.equal(cloud.errors, 0, readFileSync(join(out, 'results.jsonl'), 'utf8'));
    assert.ok(cloud.ttftMs.p50 >= DELAY_MS, `ttft ${cloud.ttftMs.p50}`);
    assert.ok(cloud.latencyMs.p50 >= 4 * DELAY_MS && cloud.latencyMs.p99 >= cloud.latencyMs.p50);
    // gpt-4o-mini at $0.15/$0.60: 1000 × 0.15 + 100 × 0.6 = 210 micro-dollars a request, $0.21 per 1k.
    assert.equal(cloud.costPer1kUsd, 0.21);
    const local = report.models.local;
    assert.equal(local.n, 6);
    assert.equal(local.errors, 0, readFileSync(join(out, 'results.jsonl'), 'utf8'));
    assert.equal(local.costPer1kUsd, 0);
    assert.ok(local.outputTokensPerSecond > 0);
    assert.ok('local|cloud' in report.agreement);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\| cloud \| 66\.7% \(30\.0–90\.3\)/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(
      html,
      /<svg[\s\S]*Latency per answer[\s\S]*<\/svg>[\s\S]*<svg[\s\S]*Accuracy vs cost[\s\S]*<\/svg>/,
    );
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained');
    assert.equal(readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').length, 12);
  });

  it('resumes from its cache: a second run calls nothing it already has', async () => {
    const before = upstream.requests.length;
    const { code, stdout } = await runCli([
      'bench',
      '--dataset',
      dataset,
      '--models',
      'cloud',
      '--config',
      config,
      '--out',
      join(dir, 'out'),
      '--json',
    ]);
    assert.equal(code, 0);
    assert.equal(JSON.parse(stdout).cachedResults, 6);
    assert.equal(upstream.requests.length, before);
    assert.ok(existsSync(join(dir, 'out', 'bench-cache.jsonl')));
  });
});
