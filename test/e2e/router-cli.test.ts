import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/start-cli-server.js';

const shared = new URL('../../../shared/data/', import.meta.url).pathname;
const gsm8k = join(shared, 'routing/gsm8k-outcomes.dev.csv');
const bitext = join(shared, 'intent/bitext-customer-support.dev.csv');
const clinc = join(shared, 'intent/clinc150.train.json');

async function runJson(args: string[]): Promise<Record<string, any>> {
  const { code, stdout, stderr } = await runCli([...args, '--json']);
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON object on stdout');
  return JSON.parse(lines[0] as string);
}

/** `router train` arguments for a data file in a format, written to `out`, plus any flags. */
function trainArgs(data: string, format: string, out: string, ...flags: string[]): string[] {
  return ['router', 'train', '--data', data, '--format', format, '--out', out, ...flags];
}

describe('switchyard router', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-router-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('trains an outcome model reproducibly, with its labels, data hash and held-out metrics in the file', async () => {
    const first = join(dir, 'gsm8k-a.json');
    const trained = await runJson(trainArgs(gsm8k, 'outcomes', first));
    assert.equal(trained.examples, 815);
    assert.ok(trained.metrics.apgr > 0.4 && trained.metrics.apgr < 1);
    const file = JSON.parse(readFileSync(first, 'utf8'));
    assert.equal(file.format, 'switchyard-text-classifier');
    assert.equal(file.version, 1);
    assert.deepEqual(file.labels, ['both-right', 'both-wrong', 'strong-only', 'weak-only']);
    assert.match(file.training.dataSha256, /^[0-9a-f]{64}$/);
    const second = join(dir, 'gsm8k-b.json');
    await runJson(trainArgs(gsm8k, 'outcomes', second));
    assert.equal(readFileSync(first, 'utf8'), readFileSync(second, 'utf8'), 'same data and seed: same file');
  });

  it('evaluates pre-routing and the verifier cascade on the same axes, and plots the curve', async () => {
    const model = join(dir, 'gsm8k-a.json');
    const plot = join(dir, 'curve.svg');
    const routed = await runJson([
      'router',
      'eval',
      '--model',
      model,
      '--data',
      gsm8k,
      '--format',
      'outcomes',
      '--plot',
      plot,
    ]);
    for (const key of ['n', 'weakAccuracy', 'strongAccuracy', 'apgr', 'cpt50', 'cpt80', 'cpt95', 'curve']) {
      assert.ok(key in routed, key);
    }
    assert.deepEqual(routed.curve[0], [0, routed.weakAccuracy]);
    // The less accurate column was taken as the weak model, and the report says which it was.
    assert.equal(routed.weakModel, 'mistralai/Mixtral-8x7B-Instruct-v0.1');
    assert.equal(routed.strongModel, 'gpt-4-1106-preview');
    assert.match(readFileSync(plot, 'utf8'), /^<svg[\s\S]*router[\s\S]*random[\s\S]*oracle[\s\S]*<\/svg>\n$/);
    const cascade = await runJson([
      'router',
      'eval',
      '--model',
      model,
      '--data',
      gsm8k,
      '--format',
      'outcomes',
      '--cascade',
    ]);
    assert.equal(cascade.weakCalls, 815);
    assert.ok(cascade.verifiers.arithmetic.weakWrongCaught > cascade.verifiers.arithmetic.weakRightFlagged);
    // Escalating only failed verifications recovers far more of the gap than the same share at random
    // (whose PGR equals its share).
    assert.ok(
      cascade.verifierOnly.pgr > 2 * cascade.verifierOnly.strongShare,
      JSON.stringify(cascade.verifierOnly),
    );
  });

  it('calibrates a threshold for a target share of strong calls', async () => {
    const model = join(dir, 'gsm8k-a.json');
    const calibration = await runJson([
      'router',
      'calibrate',
      '--model',
      model,
      '--data',
      gsm8k,
      '--target-strong-share',
      '0.2',
    ]);
    assert.ok(Math.abs(calibration.strongShare - 0.2) < 0.02);
    assert.match(calibration.rule, /complexity: \{ gt: 0\.\d+ \}/);
  });

  it('trains and evaluates intent models, with out-of-scope recall when the data has oos rows', async () => {
    const model = join(dir, 'bitext.json');
    await runJson(trainArgs(bitext, 'bitext', model, '--epochs', '3'));
    const report = await runJson([
      'router',
      'eval',
      '--model',
      model,
      '--data',
      bitext,
      '--format',
      'bitext',
    ]);
    assert.equal(report.n, 2697);
    assert.ok(report.accuracy > 0.9 && report.macroF1 > 0.9);
    // A file shaped like CLINC150's full release, with test keys: trained and evaluated without
    // --split, training must leave the test rows out and evaluation must read only them.
    const shipped = JSON.parse(readFileSync(clinc, 'utf8'));
    const release = join(dir, 'clinc-release.json');
    writeFileSync(
      release,
      JSON.stringify({
        train: shipped.val,
        oos_train: shipped.oos_val,
        test: shipped.train.slice(0, 600),
        oos_test: shipped.oos_train.slice(0, 100),
      }),
    );
    const clincModel = join(dir, 'clinc.json');
    const trained = await runJson([
      'router',
      'train',
      '--data',
      release,
      '--format',
      'clinc150',
      '--out',
      clincModel,
      '--epochs',
      '3',
      '--max-weights-per-row',
      '8',
      '--max-chars',
      '200',
    ]);
    assert.deepEqual(trained.splits, ['train', 'oos_train']);
    assert.equal(trained.examples, shipped.val.length + shipped.oos_val.length);
    const clincFile = JSON.parse(readFileSync(clincModel, 'utf8'));
    assert.equal(clincFile.features.maxChars, 200);
    assert.equal(clincFile.training.maxWeightsPerRow, 8);
    assert.equal(clincFile.training.refitEpochs, 3);
    const scoped = await runJson([
      'router',
      'eval',
      '--model',
      clincModel,
      '--data',
      release,
      '--format',
      'clinc150',
    ]);
    assert.deepEqual(scoped.splits, ['test', 'oos_test']);
    assert.equal(scoped.n, 700);
    assert.ok(scoped.inScopeAccuracy > 0.5 && scoped.oosRecall > 0, JSON.stringify(scoped));
  });

  it('says what is wrong, in one line, for a missing file, an unknown format or a mismatched model', async () => {
    const missing = await runCli(trainArgs(join(dir, 'nope.csv'), 'outcomes', join(dir, 'x.json')));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^cannot read .*nope\.csv as outcomes: ENOENT/);
    const format = await runCli(trainArgs(gsm8k, 'parquet', join(dir, 'x.json')));
    assert.match(format.stderr, /--format must be one of outcomes, banking77, clinc150, bitext/);
    const count = await runCli(
      trainArgs(gsm8k, 'outcomes', join(dir, 'x.json'), '--max-weights-per-row', '-3'),
    );
    assert.notEqual(count.code, 0);
    assert.match(count.stderr, /--max-weights-per-row must be a whole number of at least 1 \(got "-3"\)/);
    const mismatch = await runCli([
      'router',
      'eval',
      '--model',
      join(dir, 'bitext.json'),
      '--data',
      gsm8k,
      '--format',
      'outcomes',
    ]);
    assert.match(mismatch.stderr, /is not an outcome model/);
  });
});
