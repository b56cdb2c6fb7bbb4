import type { FeatureBuffer } from './feature-hasher.js';

/** Names of the structural features, in index order (for reading a model's weights by hand). */
export const STRUCTURAL_FEATURE_NAMES = [
  'log-length',
  'log-words',
  'digit-share',
  'log-operators',
  'log-code-marks',
  'log-questions',
  'log-lines',
  'log-list-items',
  'upper-share',
  'non-ascii-share',
  'cjk-share',
  'cyrillic-share',
  'arabic-hebrew-share',
  'accented-latin-share',
  'is-short',
  'is-long',
] as const;

export const STRUCTURAL_FEATURE_COUNT = STRUCTURAL_FEATURE_NAMES.length;

/**
 * Shape of the text in one pass, no allocation: length, digits and operators (math), code marks,
 * questions, lines and list items (multi-step requests), and the share of each script (a cheap
 * language signal). Values are squashed into about 0..1 so they train on the n-grams' scale.
 */
export function writeStructuralFeatures(
  text: string,
  out: FeatureBuffer,
  start: number,
  base: number,
): number {
  let words = 0;
  let digits = 0;
  let operators = 0;
  let codeMarks = 0;
  let questions = 0;
  let lines = 1;
  let listItems = 0;
  let upper = 0;
  let nonAscii = 0;
  let cjk = 0;
  let cyrillic = 0;
  let arabicHebrew = 0;
  let accented = 0;
  let inWord = false;
  let lineStart = true;
  const length = text.length;
  for (let index = 0; index < length; index += 1) {
    const code = text.charCodeAt(index);
    const isAlnum =
      (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 0xc0;
    if (isAlnum && !inWord) words += 1;
    inWord = isAlnum;
    if (code >= 48 && code <= 57) digits += 1;
    else if (code >= 65 && code <= 90) upper += 1;
    if (code === 43 || code === 45 || code === 42 || code === 47 || code === 61 || code === 94 || code === 37)
      operators += 1;
    if (code === 123 || code === 125 || code === 59 || code === 96) codeMarks += 1;
    if (code === 63) questions += 1;
    if (code === 10) {
      lines += 1;
      lineStart = true;
      continue;
    }
    if (lineStart && code !== 32 && code !== 9) {
      const next = index + 1 < length ? text.charCodeAt(index + 1) : 0;
      if (
        code === 45 ||
        code === 42 ||
        code === 0x2022 ||
        (code >= 48 && code <= 57 && (next === 46 || next === 41))
      ) {
        listItems += 1;
      }
      lineStart = false;
    }
    if (code >= 128) {
      nonAscii += 1;
      if (
        (code >= 0x4e00 && code <= 0x9fff) ||
        (code >= 0x3040 && code <= 0x30ff) ||
        (code >= 0xac00 && code <= 0xd7af)
      )
        cjk += 1;
      else if (code >= 0x0400 && code <= 0x04ff) cyrillic += 1;
      else if (code >= 0x0590 && code <= 0x06ff) arabicHebrew += 1;
      else if (code >= 0xc0 && code <= 0x24f) accented += 1;
    }
  }
  const share = (value: number) => (length > 0 ? value / length : 0);
  const values = [
    Math.log1p(length) / 8,
    Math.log1p(words) / 7,
    share(digits),
    Math.log1p(operators) / 4,
    Math.log1p(codeMarks) / 4,
    Math.log1p(questions) / 3,
    Math.log1p(lines - 1) / 4,
    Math.log1p(listItems) / 3,
    share(upper),
    share(nonAscii),
    share(cjk),
    share(cyrillic),
    share(arabicHebrew),
    share(accented),
    length < 40 ? 1 : 0,
    length > 1_000 ? 1 : 0,
  ];
  let count = start;
  for (let index = 0; index < values.length; index += 1) {
    out.indices[count] = base + index;
    out.values[count++] = values[index] as number;
  }
  return count;
}
