import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeedbackRecord, LoggedOutcome } from '../../storage/index.js';
import { buildLogOutcomes } from './build-log-outcomes.js';
import { parseLoggedMessages, readRoutedText } from './parse-logged-messages.js';

function outcome(id: string, overrides: Partial<LoggedOutcome> = {}): LoggedOutcome {
  return {
    id,
    startedAt: Number(id.replace(/\D/g, '')) || 0,
    tenant: null,
    route: 'local',
    rule: 'default',
    finalModel: 'local',
    status: 200,
    escalated: false,
    escalationReason: null,
    scores: { taskType: 'faq' },
    requestContent: `system: Be brief.\nuser: question ${id}`,
    responseContent: 'answer',
    ...overrides,
  };
}

function rating(requestId: string, metric: string, value: number): FeedbackRecord {
  return {
    requestId,
    metric,
    value,
    createdAt: 0,
    comment: null,
    demonstration: null,
    tenant: null,
    keyId: null,
    model: null,
    route: null,
    taskType: null,
  };
}

const options = {
  roles: { small: new Set(['local']), large: new Set(['cloud']) },
  feedbackMetrics: {
    correct: { type: 'boolean' as const },
    rating: { type: 'float' as const, min: 1, max: 5 },
  },
  escalation: { from: 'local', applyTo: 'routed' as const },
};

describe('buildLogOutcomes', () => {
  it('judges the small answer by feedback, then a shadow pair, then the escalation check', () => {
    const { rows, counts } = buildLogOutcomes(
      {
        outcomes: [
          outcome('r1'),
          outcome('r2', { escalationReason: 'empty', escalated: true, finalModel: 'cloud' }),
          outcome('r3', { finalModel: 'cloud', route: 'cloud', rule: 'rule 0' }),
          outcome('r4', { finalModel: 'cloud', route: 'cloud', rule: 'rule 0' }),
          outcome('r5', { rule: 'forced' }),
          outcome('r6', { requestContent: null }),
          outcome('r7', { escalationReason: 'empty', escalated: true, finalModel: 'cloud' }),
        ],
        shadowPairs: [
          {
            requestId: 'r3',
            createdAt: 0,
            from: 'cloud',
            to: 'local',
            status: 'ok',
            agreement: 1,
            judgeVerdict: null,
            shadowContent: null,
          },
          {
            requestId: 'r4',
            createdAt: 0,
            from: 'cloud',
            to: 'local',
            status: 'ok',
            agreement: 0,
            judgeVerdict: null,
            shadowContent: null,
          },
        ],
        feedback: [rating('r1', 'correct', 0), rating('r1', 'rating', 2), rating('r7', 'correct', 0)],
      },
      options,
    );
    assert.deepEqual(
      rows.map((row) => [row.requestId, row.prompt, row.weakCorrect, row.strongCorrect, row.evidence]),
      [
        ['r1', 'question r1', false, true, 'feedback'],
        ['r2', 'question r2', false, true, 'escalation'],
        ['r3', 'question r3', true, true, 'shadow'],
        ['r4', 'question r4', false, true, 'shadow'],
        // The large model's answer was wrong too: the escalation still says the small one failed.
        ['r7', 'question r7', false, false, 'escalation'],
      ],
    );
    assert.deepEqual(counts, {
      requests: 7,
      withoutContent: 1,
      withoutEvidence: 1,
      byEvidence: { feedback: 1, shadow: 2, escalation: 2, check: 0 },
    });
  });

  it('reads a logged prompt back into messages, continuation lines included', () => {
    const messages = parseLoggedMessages(
      'system: Be brief.\nuser: Sum these:\n1\n2\nassistant: 3\nuser: and 4?',
    );
    assert.deepEqual(messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Sum these:\n1\n2' },
      { role: 'assistant', content: '3' },
      { role: 'user', content: 'and 4?' },
    ]);
    assert.equal(readRoutedText(messages), 'and 4?');
  });
});
