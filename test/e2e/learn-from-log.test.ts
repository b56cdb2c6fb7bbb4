import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { detectPii } from '../../src/routing/index.js';
import { createOpenAIAnswer, FakeUpstream } from '../support/fake-upstream.js';
import { runCli } from '../support/start-cli-server.js';
import { startTestGateway } from '../support/start-test-gateway.js';

// Prompts whose outcome is learnable: the small model fails every "hard" one (its answer is empty,
// so the gateway escalates it), and answers every easy one.
const HARD = [
  'Prove that the sum of',
  'Derive a closed form for',
  'Show by induction that',
  'Compute the eigenvalues of',
];
const EASY = [
  'What time is it in',
  'Tell me a short joke about',
  'Translate good morning into',
  'What is the weather in',
];
const NOUNS = [
  'Paris',
  'the series',
  'n squared',
  'my cat',
  'Spanish',
  'a 3x3 matrix',
  'the primes',
  'Lisbon',
];
const PII_PROMPTS = [
  'Prove my IBAN DE89 3704 0044 0532 0130 00 is valid',
  'Prove that card 4111 1111 1111 1111 was charged twice',
  'Derive the age of SSN 536-22-1234 and mail ann@example.com',
];
const SHIPPED_IN_SCOPE = new URL('../../models/router/in-scope.json', import.meta.url).pathname;
const CLINC = new URL('../../../shared/data/intent/clinc150.train.json', import.meta.url).pathname;
const RAW_PII = ['DE89 3704 0044 0532 0130 00', '4111 1111 1111 1111', '536-22-1234', 'ann@example.com'];

function lastUserText(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: string }[];
  return messages.at(-1)?.content ?? '';
}

function isHard(prompt: string): boolean {
  return HARD.some((start) => prompt.startsWith(start)) || PII_PROMPTS.includes(prompt);
}

async function runJson(args: string[]): Promise<Record<string, any>> {
  const { code, stdout, stderr } = await runCli([...args, '--json']);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout.trim());
}

describe('learning from the request log', () => {
  let dir: string;
  let configPath: string;
  const upstreams: FakeUpstream[] = [];
  let hardCount = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-learn-'));
    const local = await FakeUpstream.start((body) =>
      createOpenAIAnswer({ content: isHard(lastUserText(body)) ? '' : 'Sure, here you are.' }),
    );
    const cloud = await FakeUpstream.start((body) =>
      createOpenAIAnswer({ content: `You asked: ${lastUserText(body)}` }),
    );
    upstreams.push(local, cloud);
    const config: SwitchyardConfigInput = {
      models: {
        local: { provider: 'openai-compatible', baseUrl: `${local.url}/v1`, model: 'qwen', local: true },
        cloud: { provider: 'openai-compatible', baseUrl: `${cloud.url}/v1`, model: 'gpt-4o-mini' },
      },
      routing: { default: 'local', escalation: { from: 'local', to: 'cloud' }, retries: { maxRetries: 0 } },
      feedback: { metrics: { correct: { type: 'boolean' } } },
      storage: { sqlite: { path: join(dir, 'log.db') }, content: 'full' },
    };
    configPath = join(dir, 'switchyard.yaml');
    writeFileSync(configPath, JSON.stringify(config));
    const gateway = await startTestGateway({
      listen: true,
      requestLogPath: join(dir, 'log.db'),
      config: () => config,
    });
    const send = async (content: string) => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] }),
      });
      assert.equal(response.status, 200);
      return response.headers.get('x-request-id') as string;
    };
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    // The same PII prompts three times each: duplicates for the export to drop.
    for (let round = 0; round < 3; round += 1) for (const prompt of PII_PROMPTS) await send(prompt);
    const ids: string[] = [];
    for (let index = 0; index < 200; index += 1) {
      const starts = random() < 0.4 ? HARD : EASY;
      if (starts === HARD) hardCount += 1;
      const start = starts[Math.floor(random() * starts.length)] as string;
      ids.push(await send(`${start} ${NOUNS[Math.floor(random() * NOUNS.length)]} (case ${index})`));
    }
    // A person's word on a few answers, as a client sends it.
    for (const id of ids.slice(0, 5)) {
      const response = await fetch(`${gateway.url}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: id, metric: 'correct', value: true }),
      });
      assert.equal(response.status, 200);
    }
    await gateway.close();
    // Shadow pairs, as the shadow stage writes them: the small model run beside two served answers.
    const database = new Database(join(dir, 'log.db'));
    const insert = database.prepare(
      `INSERT INTO shadow_pairs (request_id, created_at, from_model, to_model, status, latency_ms, agreement)
       VALUES (?, ?, 'cloud', 'local', 'ok', 5, ?)`,
    );
    for (const id of ids.slice(5, 7)) insert.run(id, new Date().toISOString(), 1);
    database.close();
  });

  after(async () => {
    await Promise.all(upstreams.map((upstream) => upstream.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains a router on the logged outcomes that beats always-small and always-large on the newest slice', async () => {
    const model = join(dir, 'strong-needed.json');
    const trained = await runJson(['router', 'train', '--from-log', '--config', configPath, '--out', model]);
    const { feedback, shadow, escalation, check } = trained.counts.byEvidence;
    assert.equal(feedback + shadow + escalation + check, 200 + PII_PROMPTS.length * 3);
    assert.equal(shadow, 2);
    assert.ok(feedback >= 1 && escalation >= hardCount - 7, JSON.stringify(trained.counts));
    const { report } = trained;
    assert.equal(report.heldOut.n, 42);
    // Better answers than the small model alone, at a fraction of the large model's calls.
    assert.ok(report.router.quality >= report.alwaysSmall.quality + 0.25, JSON.stringify(report));
    assert.ok(report.router.quality >= report.alwaysLarge.quality - 0.05, JSON.stringify(report));
    assert.ok(report.router.largeShare <= 0.6, JSON.stringify(report));
    assert.ok(report.router.apgr > 0.7, JSON.stringify(report));
    const evaluated = await runJson(['router', 'eval', '--from-log', '--config', configPath]);
    assert.deepEqual(evaluated.report, report, 'eval trains on the same older slice');
    // The heuristic the config runs knows nothing of these prompts.
    assert.ok(evaluated.configuredRouter.router.apgr < report.router.apgr);
  });

  it('exports a fine-tuning set with no PII and no duplicate prompts, and a manifest', async () => {
    const out = join(dir, 'finetune.jsonl');
    const manifest = await runJson([
      'export',
      'finetune',
      '--config',
      configPath,
      '--format',
      'openai',
      '--out',
      out,
    ]);
    const lines = [
      ...readFileSync(out, 'utf8').trim().split('\n'),
      ...readFileSync(join(dir, 'finetune.validation.jsonl'), 'utf8').trim().split('\n'),
    ].filter(Boolean);
    const examples = lines.map(
      (line) => JSON.parse(line) as { messages: { role: string; content: string }[] },
    );
    // Every hard prompt was answered by the large model, the PII prompts once each.
    assert.equal(examples.length, hardCount + PII_PROMPTS.length);
    assert.equal(manifest.counts.duplicates, 6);
    assert.equal(manifest.files.train.examples + manifest.files.validation.examples, examples.length);
    assert.ok(manifest.counts.piiReplaced >= 2 * RAW_PII.length);
    const text = lines.join('\n');
    for (const raw of RAW_PII) assert.ok(!text.includes(raw), raw);
    for (const example of examples) {
      for (const message of example.messages)
        assert.deepEqual(detectPii(message.content), [], message.content);
      assert.equal(example.messages.at(-1)?.role, 'assistant');
    }
    assert.match(text, /\[IBAN\]/);
    const prompts = examples.map((example) => example.messages[0]?.content);
    assert.equal(new Set(prompts).size, prompts.length);
    const manifestFile = JSON.parse(readFileSync(join(dir, 'finetune.manifest.json'), 'utf8'));
    assert.equal(manifestFile.contentSha256, manifest.contentSha256);
    assert.deepEqual(Object.keys(manifestFile.byTaskType), ['train', 'validation']);
  });

  it('sets the in-scope operating point for a target out-of-scope recall, on held-out data or on the log', async () => {
    const out = join(dir, 'in-scope.json');
    const onData = await runJson([
      'router',
      'calibrate',
      '--model',
      SHIPPED_IN_SCOPE,
      '--data',
      CLINC,
      '--format',
      'clinc150',
      '--split',
      'val,oos_val',
      '--target-oos-recall',
      '0.9',
      '--out',
      out,
    ]);
    assert.ok(onData.oosRecall >= 0.9 && onData.inScopeAccuracy > 0.8, JSON.stringify(onData));
    const shipped = JSON.parse(readFileSync(SHIPPED_IN_SCOPE, 'utf8'));
    assert.ok(onData.minConfidence > shipped.outOfScope.minConfidence);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(written.outOfScope, { label: 'oos', minConfidence: onData.minConfidence });
    assert.equal(written.metrics.operatingPoint.targetRecall, 0.9);
    assert.equal(written.weights.base64, shipped.weights.base64);
    // The log's failures (the hard prompts) are what the in-scope model should send away.
    const onLog = await runJson([
      'router',
      'calibrate',
      '--from-log',
      '--config',
      configPath,
      '--model',
      SHIPPED_IN_SCOPE,
      '--target-oos-recall',
      '0.75',
    ]);
    assert.ok(onLog.oosRecall >= 0.75 && onLog.keptShare >= 0, JSON.stringify(onLog));
    assert.equal(onLog.source, 'request log');
  });

  it('says in one sentence that a log without content teaches nothing', async () => {
    const bare = join(dir, 'bare.yaml');
    writeFileSync(bare, readFileSync(configPath, 'utf8').replace('"content":"full"', '"content":"none"'));
    for (const args of [
      ['export', 'finetune', '--config', bare, '--format', 'sharegpt', '--out', join(dir, 'x.jsonl')],
      ['router', 'train', '--from-log', '--config', bare, '--out', join(dir, 'x.json')],
    ]) {
      const { code, stderr } = await runCli(args);
      assert.equal(code, 1);
      assert.match(
        stderr,
        /^The request log keeps no prompts or answers \(storage.content is none\)[^\n]*\.\n$/,
      );
    }
  });
});
