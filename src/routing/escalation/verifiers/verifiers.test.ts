import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerFormatVerifier } from './answer-format-verifier.js';
import { arithmeticVerifier } from './arithmetic-verifier.js';
import { evaluateArithmetic } from './evaluate-arithmetic.js';
import { hedgingVerifier } from './hedging-verifier.js';

describe('arithmetic verifier', () => {
  it('evaluates arithmetic with precedence, parentheses, money and percent', () => {
    assert.equal(evaluateArithmetic('4 * 125 - 2'), 498);
    assert.equal(evaluateArithmetic('(65 + 94) / 3'), 53);
    assert.equal(evaluateArithmetic('$1,350 + 6 x $350'), 3450);
    assert.equal(evaluateArithmetic('20% * 150'), 30);
    assert.equal(evaluateArithmetic('2^3^2'), 512);
    assert.equal(evaluateArithmetic('four + 2'), undefined);
  });

  it('passes a GSM8K answer whose steps and chains check out', () => {
    const answer =
      'Alex weighs 4 * 125 - 2 = 500 - 2 = <<4*125-2=498>>498 pounds.\nThey cost 10/3 = 3.33 each.\n#### 623';
    assert.equal(arithmeticVerifier.verify('', answer).pass, true);
  });

  it('fails a wrong step, naming it, and fails an answer that states no final answer', () => {
    const wrong = arithmeticVerifier.verify('', 'So 15 + 25 = <<15+25=45>>45 cups.\n#### 45');
    assert.equal(wrong.pass, false);
    assert.match(wrong.reason, /"15\+25 = 45" is wrong \(it is 40\)/);
    assert.equal(
      arithmeticVerifier.verify('', 'So 15 + 25 = 40 cups, then 40 - 5 = 35').reason,
      'no final answer is stated',
    );
  });

  it('ignores equations in unknowns and markdown-escaped stars', () => {
    assert.equal(arithmeticVerifier.verify('', 'Let x * 4 + 8 = 40, so x = 8. The answer is 8.').pass, true);
    assert.equal(arithmeticVerifier.verify('', 'She uses 17 \\* 4 = 68 beads.\n#### 68').pass, true);
  });
});

describe('answer-format verifier', () => {
  const question = 'Which is a prime?\nA. 4\nB. 6\nC. 7\nD. 9\nAnswer:';
  it('wants one of the offered option letters', () => {
    assert.equal(answerFormatVerifier.verify(question, 'The answer is (C).').pass, true);
    assert.equal(answerFormatVerifier.verify(question, 'C. 7').pass, true);
    assert.equal(answerFormatVerifier.verify(question, 'Seven is prime.').pass, false);
  });

  it('wants parseable JSON with the named fields when the prompt asks for JSON', () => {
    const prompt = 'Return JSON with fields name, city.';
    assert.equal(
      answerFormatVerifier.verify(prompt, '```json\n{"name":"Ana","city":"Oslo"}\n```').pass,
      true,
    );
    assert.match(answerFormatVerifier.verify(prompt, '{"name":"Ana"}').reason, /lacks city/);
    assert.equal(answerFormatVerifier.verify(prompt, 'name: Ana').pass, false);
  });
});

describe('hedging verifier', () => {
  it('fails refusals and stacked hedges, passes ordinary speech', () => {
    assert.equal(hedgingVerifier.verify('', "I'm sorry, but I can't help with that.").pass, false);
    assert.equal(hedgingVerifier.verify('', 'It is maybe B, perhaps C, possibly D.').pass, false);
    assert.equal(hedgingVerifier.verify('', 'It will probably arrive on Monday.').pass, true);
  });
});
