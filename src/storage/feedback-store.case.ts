import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDecision, createOutcome } from '../../test/support/create-outcome.js';
import type { FeedbackRecord, FeedbackStore } from './feedback-store.js';
import type { OutcomeLogReader } from './outcome-log-reader.js';
import type { RequestLog } from './request-log.js';

/** A feedback store, the request log it refers to and a reader of both, on one fresh database. */
export interface FeedbackDatabase {
  feedback: FeedbackStore;
  requestLog: RequestLog;
  /** Opened after the rows are written (a CLI beside the gateway). */
  openReader(): Promise<OutcomeLogReader>;
  /** Inserts a `shadow_pairs` row as the shadow stage writes it (its columns, snake_case). */
  insertShadowPair(row: Record<string, unknown>): Promise<void>;
  dispose(): Promise<void>;
}

const AT = Date.UTC(2026, 11, 2, 10, 0, 0, 250);
const HOUR = 3_600_000;

function record(requestId: string, metric: string, value: number, overrides: Partial<FeedbackRecord> = {}) {
  return {
    requestId,
    metric,
    value,
    createdAt: AT,
    comment: null,
    demonstration: null,
    tenant: 'acme',
    keyId: null,
    model: 'cloud',
    route: 'local',
    taskType: 'faq',
    ...overrides,
  } satisfies FeedbackRecord;
}

/** The behaviour every FeedbackStore and OutcomeLogReader must have, against a real database. */
export function describeFeedbackStore(name: string, createDatabase: () => Promise<FeedbackDatabase>): void {
  describe(`FeedbackStore contract: ${name}`, () => {
    const withDatabase = (test: (database: FeedbackDatabase) => Promise<void>) => async () => {
      const database = await createDatabase();
      try {
        await test(database);
      } finally {
        await database.dispose();
      }
    };

    it(
      'finds a logged request with its tenant, served model, route and task type, and no other',
      withDatabase(async ({ feedback, requestLog }) => {
        requestLog.append(createOutcome('r1'));
        requestLog.append(createOutcome('forced', { tenant: null, decision: createDecision('cloud') }));
        await requestLog.flush();
        assert.deepEqual(await feedback.findRequest('r1'), {
          requestId: 'r1',
          tenant: 'acme',
          model: 'cloud',
          route: 'local',
          taskType: 'faq',
        });
        assert.deepEqual(await feedback.findRequest('forced'), {
          requestId: 'forced',
          tenant: null,
          model: 'cloud',
          route: 'cloud',
          taskType: null,
        });
        assert.equal(await feedback.findRequest('missing'), undefined);
      }),
    );

    it(
      'keeps the latest value of a metric per request, and says when it replaced one',
      withDatabase(async ({ feedback }) => {
        assert.equal(await feedback.recordFeedback(record('r1', 'correct', 0)), false);
        assert.equal(await feedback.recordFeedback(record('r1', 'rating', 2.5, { comment: 'meh' })), false);
        const later = record('r1', 'correct', 1, {
          createdAt: AT + HOUR,
          comment: 'on second thought',
          demonstration: 'The answer is 4.',
          keyId: 'key_1',
        });
        assert.equal(await feedback.recordFeedback(later), true);
        assert.deepEqual(await feedback.listFeedback(0), [
          record('r1', 'rating', 2.5, { comment: 'meh' }),
          later,
        ]);
        assert.deepEqual(await feedback.listFeedback(AT + 1), [later]);
      }),
    );

    it(
      'aggregates per metric, model, route and task type since a time',
      withDatabase(async ({ feedback }) => {
        await feedback.recordFeedback(record('a', 'correct', 1));
        await feedback.recordFeedback(record('b', 'correct', 0));
        await feedback.recordFeedback(record('c', 'correct', 1));
        await feedback.recordFeedback(record('d', 'correct', 1, { model: 'local', taskType: null }));
        await feedback.recordFeedback(record('e', 'rating', 4, { createdAt: AT - HOUR }));
        await feedback.recordFeedback(record('f', 'rating', 5));
        await feedback.recordFeedback(record('g', 'rating', 2));
        assert.deepEqual(await feedback.summarizeFeedback(AT), [
          { metric: 'correct', model: 'cloud', route: 'local', taskType: 'faq', count: 3, mean: 0.666667 },
          { metric: 'correct', model: 'local', route: 'local', taskType: null, count: 1, mean: 1 },
          { metric: 'rating', model: 'cloud', route: 'local', taskType: 'faq', count: 2, mean: 3.5 },
        ]);
        assert.equal((await feedback.summarizeFeedback(AT - HOUR)).at(-1)?.mean, 3.666667);
      }),
    );

    it(
      'reads requests, shadow pairs and feedback back for learning, oldest first, from a time on',
      withDatabase(async ({ feedback, requestLog, openReader, insertShadowPair }) => {
        requestLog.append(createOutcome('new', { startedAt: AT + HOUR }));
        requestLog.append(
          createOutcome('old', {
            startedAt: AT,
            escalation: null,
            reason: { kind: 'default', target: 'local' },
            servedModel: 'local',
            content: { request: 'user: hi', response: null },
          }),
        );
        requestLog.append(createOutcome('older', { startedAt: AT - HOUR }));
        await requestLog.flush();
        await insertShadowPair({
          request_id: 'old',
          created_at: new Date(AT + 5).toISOString(),
          from_model: 'local',
          to_model: 'cloud',
          status: 'ok',
          latency_ms: 12,
          agreement: 0,
          judge_verdict: 'disagree',
          shadow_content: 'Paris.',
        });
        await feedback.recordFeedback(record('new', 'correct', 1, { createdAt: AT + HOUR + 1 }));
        const reader = await openReader();
        try {
          const outcomes = await reader.listOutcomes(AT);
          assert.deepEqual(
            outcomes.map((outcome) => outcome.id),
            ['old', 'new'],
          );
          assert.deepEqual(outcomes[0], {
            id: 'old',
            startedAt: AT,
            tenant: 'acme',
            route: 'local',
            rule: 'default',
            finalModel: 'local',
            status: 200,
            escalated: false,
            escalationReason: null,
            scores: {
              taskType: 'faq',
              taskTypeProbability: 0.9,
              complexity: 0.2,
              inputTokens: 400,
              hasTools: false,
              responseFormat: 'text',
              piiKinds: [],
              localOnly: false,
            },
            requestContent: 'user: hi',
            responseContent: null,
          });
          assert.equal(outcomes[1]?.escalated, true);
          assert.equal(outcomes[1]?.escalationReason, 'low_confidence');
          assert.deepEqual(await reader.listShadowPairs(AT), [
            {
              requestId: 'old',
              createdAt: AT + 5,
              from: 'local',
              to: 'cloud',
              status: 'ok',
              agreement: 0,
              judgeVerdict: 'disagree',
              shadowContent: 'Paris.',
            },
          ]);
          assert.deepEqual(await reader.listShadowPairs(AT + 6), []);
          assert.deepEqual(
            (await reader.listFeedback(AT)).map((each) => [each.requestId, each.value]),
            [['new', 1]],
          );
        } finally {
          await reader.close();
        }
      }),
    );
  });
}
