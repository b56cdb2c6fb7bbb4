import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { trainOutcomeModel } from '../../src/analysis/index.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import { startCliServer } from '../support/start-cli-server.js';

const ADMIN_KEY = 'admin-key-for-reload-tests';
const HARD = 'Prove that the series converges';

/** A strong-needed model that sends proofs to the large model (or, `inverted`, everything else). */
function writeModel(path: string, inverted: boolean): void {
  const rows = ['Prove that', 'Derive the', 'What time is it', 'Tell me a joke'].flatMap((start, index) =>
    Array.from({ length: 12 }, (_, copy) => ({
      prompt: `${start} ${copy}`,
      weakCorrect: index < 2 === inverted,
      strongCorrect: true,
    })),
  );
  writeFileSync(path, `${JSON.stringify(trainOutcomeModel(rows, { source: 'test' }).file)}\n`);
}

describe('reloading the router models', () => {
  let dir: string;
  let modelPath: string;
  let server: Awaited<ReturnType<typeof startCliServer>>;
  const upstreams: FakeUpstream[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-reload-'));
    modelPath = join(dir, 'complexity.json');
    writeModel(modelPath, false);
    const [local, cloud] = [await FakeUpstream.start(), await FakeUpstream.start()] as [
      FakeUpstream,
      FakeUpstream,
    ];
    upstreams.push(local, cloud);
    const config = join(dir, 'switchyard.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        models: {
          local: { provider: 'openai-compatible', baseUrl: `${local.url}/v1`, model: 'qwen', local: true },
          cloud: { provider: 'openai-compatible', baseUrl: `${cloud.url}/v1`, model: 'gpt-4o-mini' },
        },
        routing: {
          default: 'local',
          rules: [{ name: 'hard', when: { complexity: { gt: 0.6 } }, then: 'cloud' }],
          classifier: { taskType: 'heuristic', complexity: modelPath },
        },
        auth: { adminKeyEnv: 'SWITCHYARD_TEST_ADMIN_KEY' },
        storage: { sqlite: { path: join(dir, 'log.db') }, flushIntervalMs: 10 },
        logging: { level: 'info' },
      }),
    );
    server = await startCliServer(['--config', config], { SWITCHYARD_TEST_ADMIN_KEY: ADMIN_KEY });
  });

  after(async () => {
    await server?.stop();
    await Promise.all(upstreams.map((upstream) => upstream.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const routeOf = async (content: string) => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }] }),
    });
    assert.equal(response.status, 200);
    await response.text();
    return response.headers.get('x-switchyard-model');
  };
  const reload = async (key = ADMIN_KEY) => {
    const response = await fetch(`${server.url}/admin/v1/router/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('swaps models on the admin API and SIGHUP, refuses a broken file and keeps serving on the old one', async () => {
    assert.equal(await routeOf(HARD), 'cloud');
    assert.equal((await reload('wrong')).status, 401);

    writeFileSync(modelPath, '{"format": "switchyard-text-classifier", "weights": ');
    const refused = await reload();
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'router_model_invalid');
    assert.match(
      refused.body.error.message,
      /routing\.classifier\.complexity: cannot read router model .*still serving on router models [0-9a-f]{16}/,
    );
    assert.equal(await routeOf(HARD), 'cloud', 'the old model still routes');
    const original = refused.body.error.message.match(/router models ([0-9a-f]{16})/)[1];

    writeModel(modelPath, true);
    server.child.kill('SIGHUP');
    const deadline = Date.now() + 10_000;
    while (!server.output().includes('router models reloaded') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await routeOf(HARD), 'local', 'the inverted model routes proofs to the small model');

    writeFileSync(modelPath, 'not json');
    server.child.kill('SIGHUP');
    while (!server.output().includes('router models not reloaded') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await routeOf(HARD), 'local');

    writeModel(modelPath, false);
    const swapped = await reload();
    assert.equal(swapped.status, 200);
    assert.equal(swapped.body.model_hash, original, 'the same bytes hash the same');
    assert.notEqual(swapped.body.previous_model_hash, original);
    assert.equal(await routeOf(HARD), 'cloud');

    // Every routed row names the models that classified it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const database = new Database(join(dir, 'log.db'), { readonly: true });
    const rows = database
      .prepare('SELECT final_model, scores, config_hash FROM requests ORDER BY started_at')
      .all() as { final_model: string; scores: string; config_hash: string }[];
    database.close();
    const hashes = rows.map((row) => [row.final_model, JSON.parse(row.scores).routerModel]);
    const inverted = swapped.body.previous_model_hash;
    assert.deepEqual(hashes, [
      ['cloud', original],
      ['cloud', original],
      ['local', inverted],
      ['local', inverted],
      ['cloud', original],
    ]);
    // The router models are part of the config hash: it follows them through the reloads.
    const configHashes = rows.map((row) => row.config_hash);
    assert.equal(configHashes[0], configHashes[1]);
    assert.equal(configHashes[2], configHashes[3]);
    assert.notEqual(configHashes[0], configHashes[2]);
    assert.equal(configHashes[4], configHashes[0]);
  });
});
