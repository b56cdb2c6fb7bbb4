import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutcome } from '../../test/support/create-outcome.js';
import type { EvidenceStore, ShadowPairRecord } from './evidence-store.js';
import type { RequestLog } from './request-log.js';

/** An evidence store and the request log its shadow attempts belong to, on one fresh database. */
export interface EvidenceStoreDatabase {
  evidence: EvidenceStore;
  requestLog: RequestLog;
  /** The `attempts` rows of a request, as the database holds them. */
  readAttempts(requestId: string): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

const AT = Date.UTC(2026, 11, 5, 10);

function pair(requestId: string, overrides: Partial<ShadowPairRecord> = {}): ShadowPairRecord {
  return {
    requestId,
    createdAt: AT,
    from: 'cloud',
    to: 'local',
    route: 'cloud',
    rule: 'default',
    taskType: 'faq',
    attempt: { model: 'local', role: 'shadow', status: 'ok', latencyMs: 12, costUsd: 0.001 },
    primaryCostUsd: 0.01,
    scores: {
      exact: false,
      normalized: true,
      json: null,
      tool: null,
      verifiersOk: true,
      judge: null,
      similarity: 0.9,
    },
    agreement: 1,
    content: 'Nine to five.',
    ...overrides,
  };
}

/** The behaviour every EvidenceStore must have, against a real database of its kind. */
export function describeEvidenceStore(
  name: string,
  createDatabase: () => Promise<EvidenceStoreDatabase>,
): void {
  describe(`EvidenceStore contract: ${name}`, () => {
    const withDatabase = (test: (database: EvidenceStoreDatabase) => Promise<void>) => async () => {
      const database = await createDatabase();
      try {
        await test(database);
      } finally {
        await database.dispose();
      }
    };

    it(
      'keeps a shadow call as an attempt of its request and sums agreement per pair, route and task type',
      withDatabase(async ({ evidence, requestLog, readAttempts }) => {
        for (const id of ['r1', 'r2', 'r3']) requestLog.append(createOutcome(id));
        await requestLog.flush();
        await evidence.appendShadowPair(pair('r1'), 2);
        await evidence.appendShadowPair(
          pair('r2', {
            agreement: 0,
            scores: {
              exact: false,
              normalized: false,
              json: null,
              tool: null,
              verifiersOk: null,
              judge: null,
              similarity: 0.2,
            },
          }),
          2,
        );
        await evidence.appendShadowPair(
          pair('r3', {
            agreement: null,
            scores: null,
            attempt: {
              model: 'local',
              role: 'shadow',
              status: 'error',
              errorCode: 'upstream_error',
              latencyMs: 3,
              costUsd: 0,
            },
          }),
          2,
        );
        const attempts = await readAttempts('r1');
        assert.deepEqual(
          attempts.map((row) => [row.attempt_index, row.model, row.role]),
          [
            [0, 'local', 'primary'],
            [1, 'cloud', 'escalation'],
            [2, 'local', 'shadow'],
          ],
        );
        const [group] = await evidence.summarizeShadow(AT - 1);
        assert.deepEqual(
          {
            ...group,
            primaryCostUsd: Number(group?.primaryCostUsd.toFixed(9)),
            shadowCostUsd: Number(group?.shadowCostUsd.toFixed(9)),
          },
          {
            from: 'cloud',
            to: 'local',
            route: 'cloud',
            taskType: 'faq',
            pairs: 3,
            scored: 2,
            agreed: 1,
            primaryCostUsd: 0.03,
            shadowCostUsd: 0.002,
          },
        );
        assert.deepEqual(await evidence.summarizeShadow(AT + 1), [], 'nothing after the pairs');
        assert.deepEqual(await evidence.countRuleOutcomes('default', 0), { requests: 3, escalated: 3 });
        assert.deepEqual(await evidence.countRuleOutcomes('rollout:x', 0), { requests: 0, escalated: 0 });
        const disagreements = await evidence.listDisagreements(AT - 1, 10);
        assert.deepEqual(
          disagreements.map((entry) => [entry.requestId, entry.similarity]),
          [['r2', 0.2]],
        );
      }),
    );

    it(
      'changes a rollout only over the version it read, with an event per change',
      withDatabase(async ({ evidence }) => {
        const state = { id: 'faq-local', share: 0.1, lastGoodShare: 0.1, paused: false, updatedAt: AT };
        const event = (from: number, to: number, cause: string) => ({
          id: 'faq-local',
          at: AT,
          fromShare: from,
          toShare: to,
          cause,
          evidence: { agreement: 0.95 },
        });
        assert.equal(await evidence.updateRollout(state, 0, event(0, 0.1, 'config')), true);
        assert.equal(await evidence.updateRollout(state, 0, event(0, 0.1, 'config')), false, 'created once');
        assert.equal(
          await evidence.updateRollout(
            { ...state, share: 0.2, updatedAt: AT + 1 },
            1,
            event(0.1, 0.2, 'raise'),
          ),
          true,
        );
        assert.equal(
          await evidence.updateRollout({ ...state, share: 0.9 }, 1, event(0.1, 0.9, 'manual')),
          false,
          'a stale version loses',
        );
        const [stored] = await evidence.readRollouts();
        assert.deepEqual(stored, { ...state, share: 0.2, updatedAt: AT + 1, version: 2 });
        const events = await evidence.listRolloutEvents('faq-local', 10);
        assert.deepEqual(events.map((entry) => [entry.cause, entry.toShare]).sort(), [
          ['config', 0.1],
          ['raise', 0.2],
        ]);
        assert.deepEqual(events[0]?.evidence, { agreement: 0.95 });
      }),
    );
  });
}
