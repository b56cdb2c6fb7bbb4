import type { Verifier, VerifierResult } from './verifier.js';

/** A prompt that offers lettered options (`A. ...` / `(B) ...` on their own lines). */
const OPTIONS = /(?:^|\n)\s*\(?([A-E])[.)]\s+\S/g;

function findOfferedLetters(prompt: string): string[] {
  return [...new Set([...prompt.matchAll(OPTIONS)].map((match) => match[1] as string))];
}

/** The option letter an answer commits to, if any. */
function findChosenLetter(answer: string, letters: string[]): string | undefined {
  const set = letters.join('');
  const patterns = [
    new RegExp(String.raw`(?:answer|option|choice)\s*(?:is|:)?\s*\(?([${set}])\)?(?![a-z])`, 'i'),
    new RegExp(String.raw`^\s*\(?([${set}])\)?(?:[.):]|\s|$)`),
    new RegExp(String.raw`\(([${set}])\)`),
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(answer);
    if (match) return (match[1] as string).toUpperCase();
  }
  return undefined;
}

/**
 * Checks the answer has the shape the prompt asked for: a multiple-choice prompt gets exactly one
 * of the offered letters; a prompt that asks for JSON gets JSON that parses (and has the fields a
 * "with fields a, b and c" or "keys: a, b" instruction names).
 */
export const answerFormatVerifier: Verifier = {
  name: 'answer-format',
  verify(prompt: string, answer: string): VerifierResult {
    const letters = findOfferedLetters(prompt);
    if (letters.length >= 2) {
      const chosen = findChosenLetter(answer, letters);
      if (!chosen) return { pass: false, reason: `no option letter (${letters.join('/')}) is chosen` };
      return { pass: true, reason: `option ${chosen} chosen` };
    }
    if (/\bjson\b/i.test(prompt)) {
      const body = /```(?:json)?\s*([\s\S]*?)```/.exec(answer)?.[1] ?? answer;
      let value: unknown;
      try {
        value = JSON.parse(body.trim());
      } catch {
        return { pass: false, reason: 'the answer is not valid JSON' };
      }
      const fields = /\b(?:fields|keys|properties)\s*:?\s*([\w", ]+?)(?:\.|$|\n)/i.exec(prompt)?.[1];
      if (fields && value && typeof value === 'object') {
        const required = fields
          .split(/,|\band\b/)
          .map((field) => field.trim().replace(/^"|"$/g, ''))
          .filter((field) => /^\w+$/.test(field));
        const missing = required.filter((field) => !(field in (value as object)));
        if (missing.length > 0) return { pass: false, reason: `the JSON lacks ${missing.join(', ')}` };
      }
      return { pass: true, reason: 'the answer is valid JSON' };
    }
    return { pass: true, reason: 'no format was asked for' };
  },
};
