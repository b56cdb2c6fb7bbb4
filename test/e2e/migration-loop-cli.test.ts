import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteEvidenceStore, SqliteRequestLog } from '../../src/storage/index.js';
import { createOutcome } from '../support/create-outcome.js';
import { runCli } from '../support/start-cli-server.js';

describe('switchyard shadow report and rollout', () => {
  let directory: string;
  let config: string;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'switchyard-loop-cli-'));
    const database = join(directory, 'log.db');
    config = join(directory, 'switchyard.yaml');
    writeFileSync(
      config,
      `models:
  cloud: { provider: openai-compatible, baseUrl: "http://127.0.0.1:1/v1", model: gpt-4o-mini }
  local: { provider: openai-compatible, baseUrl: "http://127.0.0.1:1/v1", model: qwen, local: true }
routing:
  default: cloud
  rollout: [{ from: cloud, to: local, share: 0.2 }]
storage: { sqlite: { path: "${database}" } }
`,
    );
    // Ten shadow pairs of the last hour, eight agreeing.
    const log = new SqliteRequestLog({
      path: database,
      batchSize: 50,
      flushIntervalMs: 1_000,
      onError: () => {},
    });
    const evidence = new SqliteEvidenceStore(log);
    for (let index = 0; index < 10; index += 1) {
      log.append(createOutcome(`r${index}`));
      await log.flush();
      await evidence.appendShadowPair(
        {
          requestId: `r${index}`,
          createdAt: Date.now() - 60_000,
          from: 'cloud',
          to: 'local',
          route: 'cloud',
          rule: 'default',
          taskType: 'faq',
          attempt: { model: 'local', role: 'shadow', status: 'ok', latencyMs: 5, costUsd: 0 },
          primaryCostUsd: 0.01,
          scores: {
            exact: false,
            normalized: index < 8,
            json: null,
            tool: null,
            verifiersOk: null,
            judge: null,
            similarity: index < 8 ? 1 : 0.1 * index,
          },
          agreement: index < 8 ? 1 : 0,
          content: null,
        },
        2,
      );
    }
    await log.close();
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('reports agreement with its interval, savings and the worst disagreements', async () => {
    const result = await runCli(['shadow', 'report', '--since', '24h', '--json', '--config', config]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(
      (({ pairs, scored, agreed, agreement, interval, savingsUsd }) => ({
        pairs,
        scored,
        agreed,
        agreement,
        interval,
        savingsUsd,
      }))(report.rows[0]),
      {
        pairs: 10,
        scored: 10,
        agreed: 8,
        agreement: 0.8,
        interval: { low: 0.4902, high: 0.9433 },
        savingsUsd: 0.1,
      },
    );
    assert.deepEqual(
      report.worstDisagreements.map((entry: { requestId: string }) => entry.requestId),
      ['r8', 'r9'],
    );
    assert.match((await runCli(['shadow', 'report', '--config', config])).stdout, /80\.0%\s+49\.0%-94\.3%/);
    assert.equal((await runCli(['shadow', 'report', '--since', 'a while', '--config', config])).code, 1);
  });

  it('sets, pauses and resumes a rollout, with every change and its cause in the status', async () => {
    assert.equal((await runCli(['rollout', 'set', 'cloud-to-local', '0.5', '--config', config])).code, 0);
    assert.equal((await runCli(['rollout', 'pause', 'cloud-to-local', '--config', config])).code, 0);
    const status = JSON.parse((await runCli(['rollout', 'status', '--json', '--config', config])).stdout);
    assert.deepEqual(
      (({ id, share, lastGoodShare, paused }) => ({ id, share, lastGoodShare, paused }))(status[0]),
      {
        id: 'cloud-to-local',
        share: 0.5,
        lastGoodShare: 0.5,
        paused: true,
      },
    );
    assert.deepEqual(status[0].events.map((event: { cause: string }) => event.cause).sort(), [
      'config',
      'manual',
      'pause',
    ]);
    assert.equal((await runCli(['rollout', 'resume', 'cloud-to-local', '--config', config])).code, 0);
    const refused = await runCli(['rollout', 'set', 'cloud-to-local', '2', '--config', config]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /from 0 to 1/);
    const unknown = await runCli(['rollout', 'set', 'nope', '0.1', '--config', config]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No rollout 'nope' is configured \(configured: cloud-to-local\)/);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /);
  });
});
