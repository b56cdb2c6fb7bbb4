export type Scorer = 'exact' | 'contains' | 'regex' | 'numeric' | 'choice' | 'json-field';
export const SCORERS: readonly Scorer[] = ['exact', 'contains', 'regex', 'numeric', 'choice', 'json-field'];

function normalize(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.!]+$/, '');
}

/** The last number an answer states (`#### 18`, `$1,200.50`, `-3`). */
export function findLastNumber(text: string): number | undefined {
  const matches = text.replace(/(\d),(\d{3})/g, '$1$2').match(/-?\d+(?:\.\d+)?/g);
  return matches ? Number(matches.at(-1)) : undefined;
}

/** The option letter an answer commits to first: "B", "(C)", "Answer: D". */
export function findChoice(text: string): string | undefined {
  const stated = /(?:answer|option|choice)\s*(?:is|:)?\s*\(?([A-E])\)?\b/i.exec(text);
  if (stated) return (stated[1] as string).toUpperCase();
  const leading = /^\s*\(?([A-E])\)?(?:[.):\s]|$)/.exec(text);
  return leading ? (leading[1] as string).toUpperCase() : undefined;
}

/**
 * Whether `answer` is right. `expected` is a string for every scorer but `json-field`, where it is
 * an object whose every field the answer's JSON must hold with an equal value.
 */
export function scoreAnswer(scorer: Scorer, answer: string, expected: unknown): boolean {
  const expectedText = typeof expected === 'string' ? expected : JSON.stringify(expected);
  switch (scorer) {
    case 'exact':
      return normalize(answer) === normalize(expectedText);
    case 'contains':
      return normalize(answer).includes(normalize(expectedText));
    case 'regex':
      return new RegExp(expectedText, 'i').test(answer);
    case 'numeric': {
      const actual = findLastNumber(answer);
      const target = typeof expected === 'number' ? expected : findLastNumber(expectedText);
      return (
        actual !== undefined &&
        target !== undefined &&
        Math.abs(actual - target) <= Math.max(1e-6, Math.abs(target) * 1e-6)
      );
    }
    case 'choice':
      return (
        findChoice(answer) ===
        expectedText
          .trim()
          .toUpperCase()
          .replace(/[^A-E]/g, '')
          .slice(0, 1)
      );
    case 'json-field': {
      const body = /```(?:json)?\s*([\s\S]*?)```/.exec(answer)?.[1] ?? answer;
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(body.trim()) as Record<string, unknown>;
      } catch {
        return false;
      }
      const fields = (typeof expected === 'string' ? JSON.parse(expected) : expected) as Record<
        string,
        unknown
      >;
      return Object.entries(fields).every(
        ([key, wanted]) => JSON.stringify(value?.[key]) === JSON.stringify(wanted),
      );
    }
  }
}
