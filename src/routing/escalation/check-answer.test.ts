import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EscalationConfig } from '../../config/index.js';
import type { ChatRequest, ChatResult } from '../../contract/index.js';
import { checkAnswer } from './check-answer.js';

const config: EscalationConfig = {
  from: 'local',
  to: 'cloud',
  minConfidence: 0.6,
  onInvalidJson: true,
  onInvalidToolCall: true,
  onEmpty: true,
  streaming: 'buffer',
  applyTo: 'routed',
  verifiers: [],
};

function result(parts: Partial<ChatResult>): ChatResult {
  return {
    text: 'ok',
    toolCalls: [],
    finishReason: 'stop',
    usage: {
      inputTokens: 1,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: 0,
      source: 'upstream',
    },
    modelId: 'm',
    warnings: [],
    ...parts,
  };
}

const request: ChatRequest = { messages: [{ role: 'user', content: 'hi' }] };

describe('checkAnswer', () => {
  it('passes an answer with no confidence reported rather than calling it unconfident', () => {
    assert.equal(checkAnswer(result({}), request, config), undefined);
  });

  it('judges confidence against the threshold, strictly below', () => {
    const at = { meanTokenProbability: 0.6, minTokenProbability: 0.1, tokenCount: 3 };
    assert.equal(checkAnswer(result({ confidence: at }), request, config), undefined);
    const below = { ...at, meanTokenProbability: 0.59 };
    assert.equal(checkAnswer(result({ confidence: below }), request, config)?.reason, 'low_confidence');
  });

  it('refuses a JSON array or scalar where json_object asked for an object', () => {
    const asked = { ...request, responseFormat: { type: 'json_object' as const } };
    assert.equal(checkAnswer(result({ text: '[1,2]' }), asked, config)?.reason, 'invalid_json');
    assert.equal(checkAnswer(result({ text: '{"a":[1,2]}' }), asked, config), undefined);
  });

  it('does not judge the text as JSON when the answer is a tool call', () => {
    const asked: ChatRequest = {
      ...request,
      responseFormat: { type: 'json_object' },
      tools: [{ name: 'f', parameters: { type: 'object' } }],
    };
    const call = result({ text: '', toolCalls: [{ id: '1', name: 'f', arguments: '{}' }] });
    assert.equal(checkAnswer(call, asked, config), undefined);
  });

  it('honours each switch: nothing is checked when all are off', () => {
    const off = {
      ...config,
      minConfidence: undefined,
      onEmpty: false,
      onInvalidJson: false,
      onInvalidToolCall: false,
    };
    const bad = result({ text: '', toolCalls: [{ id: '1', name: 'nope', arguments: 'not json' }] });
    assert.equal(checkAnswer(bad, { ...request, responseFormat: { type: 'json_object' } }, off), undefined);
    assert.equal(checkAnswer(bad, request, config)?.reason, 'invalid_tool_call');
  });

  it('runs the configured verifiers on the answer to the latest user turn', () => {
    const withVerifiers: EscalationConfig = { ...config, verifiers: ['hedging', 'arithmetic'] };
    const asked: ChatRequest = { messages: [{ role: 'user', content: 'Eggs: 16 - 3 - 4, sold at $2?' }] };
    const wrong = result({ text: 'She has 16 - 3 - 4 = 8 eggs, so 8 * 2 = 16.\n#### 16' });
    const failed = checkAnswer(wrong, asked, withVerifiers);
    assert.equal(failed?.reason, 'verifier:arithmetic');
    assert.match(failed?.detail ?? '', /16 - 3 - 4 = 8" is wrong \(it is 9\)/);
    const right = result({ text: 'She has 16 - 3 - 4 = 9 eggs, so 9 * 2 = $18.\n#### 18' });
    assert.equal(checkAnswer(right, asked, withVerifiers), undefined);
    assert.equal(
      checkAnswer(result({ text: "I'm not sure, sorry." }), asked, withVerifiers)?.reason,
      'verifier:hedging',
    );
  });
});
