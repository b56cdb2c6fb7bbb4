import { evaluateArithmetic, matchesStatedValue } from './evaluate-arithmetic.js';
import type { Verifier, VerifierResult } from './verifier.js';

/** Where a final answer is conventionally stated. */
const FINAL_ANSWER =
  /####\s*-?\$?\d|\\boxed\{|\b(?:final answer|the answer is|answer:|answer is|so the answer|therefore,? the answer)\b[^\n]{0,40}\d/i;

const EXPRESSION_CHAR = /[0-9.,+\-*/×÷x^()$% ]/;
const OPERATOR = /[-+*/×÷x^]/;

/** The arithmetic expression that ends just before `end` (walking left), or undefined. */
function readExpressionBefore(text: string, end: number): string | undefined {
  let start = end;
  while (start > 0 && EXPRESSION_CHAR.test(text[start - 1] as string)) start -= 1;
  // Trim to a sensible start: a digit, '(', '$' or a leading minus.
  const raw = text.slice(start, end).trim();
  // `x * 4 + 8 = 40` is an equation in x, not a step to check.
  if (/^x\b/.test(raw)) return undefined;
  return raw.replace(/^[^0-9($-]+/, '');
}

/** The arithmetic expression that starts just after `start` (walking right, up to the next '='). */
function readExpressionAfter(text: string, start: number): string {
  let end = start;
  while (end < text.length && EXPRESSION_CHAR.test(text[end] as string)) end += 1;
  return text
    .slice(start, end)
    .trim()
    .replace(/[.,]+$/, '')
    .replace(/\s+[-+*/×÷x^]$/, '');
}

function isArithmetic(expression: string | undefined): expression is string {
  if (!expression) return false;
  const numbers = expression.match(/\d+(?:[.,]\d+)*/g)?.length ?? 0;
  // "x" counts as an operator only between numbers ("4 x 12"), never inside a word.
  return numbers >= 2 && OPERATOR.test(expression.replace(/^-/, ''));
}

/**
 * Recomputes every arithmetic step of an answer: each `=` whose left side is an expression such as
 * `4 * 125 - 2` (inline, or inside a GSM8K `<<...>>` annotation) is checked against its right side,
 * a number written to some precision or another expression (`= 500 - 2 = 498` chains). Also checks
 * that a final answer is stated. One wrong step, or no stated answer, fails the answer.
 */
export const arithmeticVerifier: Verifier = {
  name: 'arithmetic',
  verify(_prompt: string, original: string): VerifierResult {
    // Markdown escapes (`17 \* 4`) are still multiplication.
    const answer = original.replace(/\\\*/g, '*');
    let steps = 0;
    for (let index = answer.indexOf('='); index !== -1; index = answer.indexOf('=', index + 1)) {
      const before = answer[index - 1];
      const after = answer[index + 1];
      if (
        before === '=' ||
        before === '<' ||
        before === '>' ||
        before === '!' ||
        after === '=' ||
        after === '>'
      )
        continue;
      const left = readExpressionBefore(answer, index);
      if (!isArithmetic(left)) continue;
      const right = readExpressionAfter(answer, index + 1);
      if (right === '') continue;
      const leftValue = evaluateArithmetic(left);
      const rightValue = evaluateArithmetic(right);
      if (leftValue === undefined || rightValue === undefined) continue;
      steps += 1;
      const correct = isArithmetic(right)
        ? Math.abs(leftValue - rightValue) <= Math.max(0.01, Math.abs(leftValue) * 1e-3)
        : matchesStatedValue(leftValue, right);
      if (!correct) {
        return {
          pass: false,
          reason: `step "${left} = ${right}" is wrong (it is ${Number(leftValue.toFixed(6))})`,
        };
      }
    }
    if (!FINAL_ANSWER.test(answer)) return { pass: false, reason: 'no final answer is stated' };
    return { pass: true, reason: `${steps} arithmetic step${steps === 1 ? '' : 's'} check out` };
  },
};
