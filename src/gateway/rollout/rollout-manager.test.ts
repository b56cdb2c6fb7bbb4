import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { SqliteEvidenceStore, SqliteRequestLog } from '../../storage/index.js';
import { RolloutManager } from './rollout-manager.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-rollout-manager-'));
after(() => rmSync(directory, { recursive: true, force: true }));

describe('RolloutManager', () => {
  it('keeps as last good share the one a raise left or an operator set, never one a rollback condemned', async () => {
    const requestLog = new SqliteRequestLog({
      path: join(directory, 'rollouts.db'),
      batchSize: 50,
      flushIntervalMs: 10_000,
      onError: () => {},
    });
    const manager = new RolloutManager({
      rollouts: [{ from: 'cloud', to: 'local', share: 0.2, sticky: 'user' }],
      evidence: new SqliteEvidenceStore(requestLog),
      logger: pino({ level: 'silent' }),
    });
    try {
      await manager.load();
      const step = async (share: number, cause: string) => {
        const state = await manager.set('cloud-to-local', share, cause);
        return [state.share, state.lastGoodShare];
      };
      // The configured share was never raised: a rollback turns the rollout off, and 0 is all
      // that is still good.
      assert.deepEqual(await step(0, 'rollback'), [0, 0]);
      assert.deepEqual(await step(0.4, 'manual'), [0.4, 0.4]);
      assert.deepEqual(await step(0.5, 'raise'), [0.5, 0.4]);
      assert.deepEqual(await step(0.4, 'rollback'), [0.4, 0.4]);
    } finally {
      await manager.close();
      await requestLog.close();
    }
  });
});
