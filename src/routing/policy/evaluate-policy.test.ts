import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../config/index.js';
import { describeRouteReason } from '../describe-route-reason.js';
import { HeuristicTaskClassifier } from '../features/heuristic-task-classifier.js';
import type { RequestFeatures } from '../features/request-features.js';
import { evaluatePolicy } from './evaluate-policy.js';

const { routing } = parseConfigText(
  `models:
  local: { provider: llama-cpp, model: x.gguf }
  cloud: { provider: openai-compatible, baseUrl: "http://127.0.0.1:1/v1", model: gpt-4o }
routing:
  default: local
  rules:
    - { when: { pii: true }, then: local }
    - { name: long-context, when: { inputTokens: { gt: 3000 } }, then: cloud }
    - { when: { taskType: [reasoning, code, creative] }, then: cloud }
    - { when: { complexity: { gt: 0.7 } }, then: cloud }
    - { when: { hasTools: true }, then: local }
    - { when: { metadata: { tier: premium }, alias: gpt-4o }, then: cloud }
`,
  'test',
);

function features(overrides: Partial<RequestFeatures> = {}): RequestFeatures {
  return {
    inputTokens: 100,
    taskType: 'faq',
    taskTypeProbability: 0.6,
    complexity: 0.1,
    piiKinds: [],
    hasTools: false,
    responseFormat: 'text',
    requestedModel: 'auto',
    metadata: {},
    ...overrides,
  };
}

describe('evaluatePolicy', () => {
  it('falls back to the default when no rule matches', () => {
    assert.deepEqual(evaluatePolicy(routing, features()), {
      target: 'local',
      rule: 'default',
      reason: { kind: 'default', target: 'local' },
    });
  });

  it('takes the first matching rule, so PII outranks a long context', () => {
    const decision = evaluatePolicy(routing, features({ piiKinds: ['iban'], inputTokens: 5000 }));
    assert.equal(decision.target, 'local');
    assert.equal(decision.rule, 'rule 0');
    assert.equal(describeRouteReason(decision.reason), 'Routed to local by rule 0: PII found (iban).');
  });

  it('names the rule and the fact that matched', () => {
    const decision = evaluatePolicy(routing, features({ inputTokens: 3001 }));
    assert.equal(
      describeRouteReason(decision.reason),
      'Routed to cloud by long-context: 3001 input tokens > 3000.',
    );
    assert.equal(evaluatePolicy(routing, features({ inputTokens: 3000 })).target, 'local');
  });

  it('matches task types, complexity, tools and metadata with alias together', () => {
    assert.equal(evaluatePolicy(routing, features({ taskType: 'code' })).rule, 'rule 2');
    assert.equal(evaluatePolicy(routing, features({ complexity: 0.71 })).rule, 'rule 3');
    assert.equal(evaluatePolicy(routing, features({ hasTools: true })).rule, 'rule 4');
    assert.equal(evaluatePolicy(routing, features({ metadata: { tier: 'premium' } })).rule, 'default');
    assert.equal(
      evaluatePolicy(routing, features({ metadata: { tier: 'premium' }, requestedModel: 'gpt-4o' })).rule,
      'rule 5',
    );
  });

  it('rejects a rule that targets an unknown model, naming its path', () => {
    assert.throws(
      () =>
        parseConfigText(
          'models:\n  local: { provider: llama-cpp, model: x.gguf }\nrouting:\n  default: local\n  rules: [ { when: { pii: true }, then: gpt5 } ]\n',
          'test',
        ),
      /routing\.rules\[0\]\.then: unknown model "gpt5"/,
    );
  });
});

describe('HeuristicTaskClassifier', () => {
  const classifier = new HeuristicTaskClassifier();
  const cases: [string, string][] = [
    ['Fix this bug: `def f(): return x`', 'code'],
    ['Calculate 17 * 23 for me', 'math'],
    ['Summarize the following email thread', 'summarization'],
    ['Extract the order number and date from this message', 'extraction'],
    ['Classify the sentiment of this review', 'classification'],
    ['Write a poem about the sea', 'creative'],
    ['Explain why the sky is blue', 'reasoning'],
    ['Hello there!', 'conversation'],
    ['What are your opening hours?', 'faq'],
  ];
  for (const [text, expected] of cases) {
    it(`labels "${text}" as ${expected}`, () => {
      assert.equal(classifier.classify(text).taskType, expected);
    });
  }

  it('scores a long multi-step reasoning prompt above a short FAQ', () => {
    const hard = classifier.classify(
      `Explain step by step why each of these proofs fails? Then compare them? ${'context '.repeat(200)}`,
    );
    const easy = classifier.classify('What are your opening hours?');
    assert.ok(hard.complexity > 0.7, String(hard.complexity));
    assert.ok(easy.complexity < 0.1, String(easy.complexity));
  });
});
