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

// Classes of ASCII characters as bits, so the per-character loop adds bits instead of branching:
// letters and digits alternate with spaces unpredictably, so a branch per class would be
// mispredicted often, and this pass runs over every character of a prompt.
const ALNUM = 1;
const DIGIT = 2;
const UPPER = 4;
const OPERATOR = 8;
const CODE_MARK = 16;
const QUESTION = 32;
const ASCII_CLASSES = new Uint8Array(128);
for (let code = 0; code < 128; code += 1) {
  let flags = 0;
  if (code >= 48 && code <= 57) flags |= ALNUM | DIGIT;
  if (code >= 65 && code <= 90) flags |= ALNUM | UPPER;
  if (code >= 97 && code <= 122) flags |= ALNUM;
  if ('+-*/=^%'.includes(String.fromCharCode(code))) flags |= OPERATOR;
  if ('{};`'.includes(String.fromCharCode(code))) flags |= CODE_MARK;
  if (code === 63) flags |= QUESTION;
  ASCII_CLASSES[code] = flags;
}

function shareOf(count: number, length: number): number {
  return length > 0 ? count / length : 0;
}

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
  wholeLength = text.length,
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
  let inWord = 0;
  let lineStart = true;
  const length = text.length;
  for (let index = 0; index < length; index += 1) {
    const code = text.charCodeAt(index);
    // Every character from U+00C0 up counts as a letter, as the hasher's word splitting does.
    const flags = code < 128 ? (ASCII_CLASSES[code] as number) : code >= 0xc0 ? ALNUM : 0;
    const alnum = flags & ALNUM;
    words += alnum & (inWord ^ 1);
    inWord = alnum;
    digits += (flags >> 1) & 1;
    upper += (flags >> 2) & 1;
    operators += (flags >> 3) & 1;
    codeMarks += (flags >> 4) & 1;
    questions += (flags >> 5) & 1;
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
  // `text` may be a sample of a longer text (a head and a tail): counts scale up to its length.
  const scale = length > 0 ? wholeLength / length : 1;
  const { indices, values } = out;
  let count = start;
  // Written in place, in STRUCTURAL_FEATURE_NAMES order: a decision allocates nothing here.
  for (let index = 0; index < STRUCTURAL_FEATURE_COUNT; index += 1) indices[count + index] = base + index;
  values[count++] = Math.log1p(wholeLength) / 8;
  values[count++] = Math.log1p(words * scale) / 7;
  values[count++] = shareOf(digits, length);
  values[count++] = Math.log1p(operators * scale) / 4;
  values[count++] = Math.log1p(codeMarks * scale) / 4;
  values[count++] = Math.log1p(questions * scale) / 3;
  values[count++] = Math.log1p((lines - 1) * scale) / 4;
  values[count++] = Math.log1p(listItems * scale) / 3;
  values[count++] = shareOf(upper, length);
  values[count++] = shareOf(nonAscii, length);
  values[count++] = shareOf(cjk, length);
  values[count++] = shareOf(cyrillic, length);
  values[count++] = shareOf(arabicHebrew, length);
  values[count++] = shareOf(accented, length);
  values[count++] = wholeLength < 40 ? 1 : 0;
  values[count++] = wholeLength > 1_000 ? 1 : 0;
  return count;
}
