import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/start-cli-server.js';

const stories = new URL('../../../shared/models/stories260K.gguf', import.meta.url).pathname;

async function runJson(args: string[]): Promise<Record<string, any>> {
  const { code, stdout, stderr } = await runCli([...args, '--json']);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

describe('switchyard roi', () => {
  it('matches hand-computed invoices', async () => {
    const report = await runJson([
      'roi',
      '--requests-per-month',
      '500000',
      '--input-tokens',
      '400',
      '--output-tokens',
      '600',
      '--llm',
      'gpt-4o',
      '--llm-price',
      '5,20',
      '--slm-share',
      '0.6',
      '--slm-hourly-usd',
      '1',
      '--capex',
      '3000',
    ]);
    assert.equal(report.llmOnlyMonthlyUsd, 7_000);
    // 40% of $7,000 + 730 hours × $1.
    assert.equal(report.hybridMonthlyUsd, 3_530);
    assert.equal(report.monthlySavingsUsd, 3_470);
    assert.equal(report.savingsPct, 49.57);
    assert.equal(report.paybackMonths, 0.86);
    // $730 / (0.6 × $0.014) = 86,904.8 → 86,905 requests.
    assert.equal(report.breakEvenRequestsPerMonth, 86_905);
  });

  it('prices from the built-in table and prints a readable table', async () => {
    const { stdout } = await runCli([
      'roi',
      '--requests-per-month',
      '1000000',
      '--input-tokens',
      '400',
      '--output-tokens',
      '600',
      '--llm',
      'gpt-4o-mini',
      '--slm-share',
      '0.5',
    ]);
    // gpt-4o-mini at $0.15/$0.60: 400 × 0.15 + 600 × 0.6 = 420 micro-dollars a request.
    assert.match(stdout, /All-LLM\s+\$420\.00/);
    assert.match(stdout, /built-in table \(checked 2025-10-01\)/);
    const unknown = await runCli([
      'roi',
      '--requests-per-month',
      '1',
      '--input-tokens',
      '1',
      '--output-tokens',
      '1',
      '--llm',
      'mystery',
      '--slm-share',
      '0.5',
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no built-in price for "mystery"; give --llm-price/);
  });
});

describe('switchyard memory', () => {
  it('estimates a known shape side by side per quantisation', async () => {
    const report = await runJson([
      'memory',
      '--params',
      '8.03B',
      '--layers',
      '32',
      '--kv-heads',
      '8',
      '--head-dim',
      '128',
      '--context',
      '8192',
    ]);
    assert.equal(report.kvCacheBytes, 1024 ** 3);
    assert.deepEqual(Object.keys(report.byQuant), ['f16', 'q8_0', 'q4_k_m']);
    assert.equal(report.byQuant.f16.weightsBytes, 16_060_000_000);
    assert.equal(report.totalBytes, report.weightsBytes + report.kvCacheBytes + report.computeBytes);
  });

  it('reads a GGUF header for the shape and the exact tensor bytes', async () => {
    const report = await runJson(['memory', '--gguf', stories, '--context', '256']);
    assert.equal(report.weightsBytes, 1_171_200);
    // 2 × 5 layers × 4 KV heads × 8 dims × 256 tokens × 2 bytes.
    assert.equal(report.kvCacheBytes, 163_840);
    assert.equal(report.quant, 'as stored');
    assert.deepEqual(Object.keys(report.byQuant), ['as stored', 'f16', 'q8_0', 'q4_k_m']);
    // 292,800 parameters at 16 bits.
    assert.equal(report.byQuant.f16.weightsBytes, 585_600);
  });
});

describe('switchyard audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-audit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(
    config,
    `models:
  local: { provider: llama-cpp, model: ${stories} }
  cloud: { provider: openai-compatible, baseUrl: "http://127.0.0.1:9/v1", model: gpt-4o }
routing:
  default: local
  rules:
    - { name: pii, when: { pii: true }, then: local }
    - { name: code, when: { taskType: code }, then: cloud }
  baseline: cloud
`,
  );
  const requests = [
    'Write a Python function that merges two sorted lists.',
    'Write a JavaScript function that debounces another function.',
    'Write a Python function that validates IBAN DE89 3704 0044 0532 0130 00 for my account.',
    'I still have not received my new card, what should I do?',
    'How do I top up my account with a bank transfer?',
    'Why was my card payment declined?',
  ];
  const traffic = join(dir, 'traffic.jsonl');
  writeFileSync(
    traffic,
    `${requests
      .map((content) =>
        JSON.stringify({
          model: 'gpt-4o',
          messages: [{ role: 'user', content }],
          usage: { prompt_tokens: 400, completion_tokens: 600 },
        }),
      )
      .join('\n')}\n`,
  );

  it('routes recorded traffic by the policy, as if it had asked for auto, and projects the monthly cost', async () => {
    const report = await runJson([
      'audit',
      '--input',
      traffic,
      '--config',
      config,
      '--requests-per-month',
      '600000',
    ]);
    assert.equal(report.n, 6);
    assert.deepEqual(report.byRoute, { cloud: 2, local: 4 });
    assert.deepEqual(report.byRule, { code: 2, pii: 1, default: 3 });
    assert.equal(report.byTaskType.code, 3);
    assert.equal(report.slmShare, 0.6667);
    assert.equal(report.piiRequests, 1);
    assert.equal(report.inputTokens, 2_400);
    assert.equal(report.outputTokens, 3_600);
    // gpt-4o at $2.50/$10: 400 × 2.5 + 600 × 10 = $0.007 a request; 600,000 a month = $4,200.
    // Two in six stay on the cloud: $1,400; the local model is free.
    assert.deepEqual(report.projectedMonthlyUsd, { llmOnly: 4_200, hybrid: 1_400, savings: 2_800 });
  });

  it('reads a CSV text column and prints readable tables', async () => {
    const csv = join(dir, 'traffic.csv');
    writeFileSync(
      csv,
      `id,question\n1,"How do I reset my PIN?"\n2,"Write a Go function that parses a CSV file"\n`,
    );
    const { code, stdout } = await runCli([
      'audit',
      '--input',
      csv,
      '--format',
      'csv',
      '--text-column',
      'question',
      '--config',
      config,
    ]);
    assert.equal(code, 0);
    assert.match(stdout, /2 requests; the policy keeps 50\.0% on local models/);
    assert.match(stdout, /route\s+requests\s+share/);
  });
});
