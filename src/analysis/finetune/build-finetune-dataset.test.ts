import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeedbackRecord, LoggedOutcome } from '../../storage/index.js';
import { buildFinetuneDataset, formatFinetuneLine } from './build-finetune-dataset.js';

function outcome(id: string, prompt: string, overrides: Partial<LoggedOutcome> = {}): LoggedOutcome {
  return {
    id,
    startedAt: Number(id.slice(1)),
    tenant: null,
    route: 'cloud',
    rule: 'default',
    finalModel: 'cloud',
    status: 200,
    escalated: false,
    escalationReason: null,
    scores: { taskType: id === 'r3' ? 'code' : 'faq' },
    requestContent: `user: ${prompt}`,
    responseContent: `Answer to ${prompt}`,
    ...overrides,
  };
}

function feedback(requestId: string, value: number, demonstration: string | null = null): FeedbackRecord {
  return {
    requestId,
    metric: 'correct',
    value,
    createdAt: 0,
    comment: null,
    demonstration,
    tenant: null,
    keyId: null,
    model: null,
    route: null,
    taskType: null,
  };
}

const sources = {
  outcomes: [
    outcome('r1', 'Where is my card 4111 1111 1111 1111?'),
    outcome('r2', 'where is my  CARD 4111 1111 1111 1111?'),
    outcome('r3', 'Fix this loop'),
    outcome('r4', 'Opening hours?', { finalModel: 'local' }),
    outcome('r5', 'Refund policy?', { finalModel: 'local' }),
    outcome('r6', 'Weather?', { requestContent: null }),
  ],
  shadowPairs: [
    {
      requestId: 'r5',
      createdAt: 0,
      from: 'local',
      to: 'cloud',
      status: 'ok',
      agreement: 0,
      judgeVerdict: null,
      shadowContent: 'Thirty days.',
    },
  ],
  feedback: [feedback('r1', 1), feedback('r4', 0, 'Nine to five; mail ann@example.com.')],
};

describe('buildFinetuneDataset', () => {
  it("teaches the large model's answers, from the request or its shadow, once per prompt, PII replaced", () => {
    const { examples, counts } = buildFinetuneDataset(sources, {
      large: new Set(['cloud']),
      source: 'large',
      validationShare: 0,
    });
    assert.deepEqual(
      examples.map((example) => [example.requestId, example.messages.map((message) => message.content)]),
      [
        ['r2', ['where is my  CARD [PAYMENT-CARD]?', 'Answer to where is my  CARD [PAYMENT-CARD]?']],
        ['r3', ['Fix this loop', 'Answer to Fix this loop']],
        ['r5', ['Refund policy?', 'Thirty days.']],
      ],
    );
    assert.equal(counts.duplicates, 1);
    assert.equal(counts.withoutAnswer, 1);
    assert.equal(counts.withoutContent, 1);
    assert.equal(counts.piiReplaced, 4);
  });

  it('filters by task type and feedback, prefers demonstrations, and splits by prompt', () => {
    const filtered = buildFinetuneDataset(sources, {
      large: new Set(['cloud']),
      source: 'both',
      taskTypes: ['faq'],
      feedback: [{ metric: 'correct', operator: '=', value: 1 }],
      validationShare: 0,
    });
    assert.deepEqual(
      filtered.examples.map((example) => example.requestId),
      ['r1'],
    );
    const demonstrated = buildFinetuneDataset(sources, {
      large: new Set(['cloud']),
      source: 'demonstrations',
      validationShare: 1 - 1e-9,
    });
    assert.deepEqual(
      demonstrated.examples.map((example) => [example.requestId, example.split, example.answerFrom]),
      [['r4', 'validation', 'demonstration']],
    );
    assert.equal(
      formatFinetuneLine(demonstrated.examples[0] as never, 'sharegpt'),
      '{"conversations":[{"from":"human","value":"Opening hours?"},{"from":"gpt","value":"Nine to five; mail [EMAIL]."}]}',
    );
  });
});
