/**
 * A long prompt usually gives its instruction a line of its own, before or after the text it is
 * about ("Summarize the article below.", "... Write a script that parses these lines."). A model
 * over one bag of n-grams judges such a prompt by the bulk of the pasted text: an article reads as
 * `other`, a log or a table as `extraction`, whatever the instruction asks. So the task-type model
 * also judges a long prompt's first and last lines alone, and a line that reads as a task asked of
 * a text decides (`TrainedTaskClassifier`).
 */
export interface InstructionReading {
  /** Prompts up to this length are judged whole only. */
  minTextChars: number;
  /** A first or last line longer than this is text, not an instruction. */
  maxLineChars: number;
  /** A line decides only with at least this probability for its task. */
  minProbability: number;
  /** Task types that describe a whole message rather than a task asked of a text: never decided by a line. */
  wholeMessageTasks: ReadonlySet<string>;
}

// minProbability was chosen by cross-validation on the task-type set's prompts over 600
// characters. Its templated instructions are easier than real ones, so of the two best
// thresholds the lower; hand-written long prompts agree (docs/router.md has the figures).
export const INSTRUCTION_READING: InstructionReading = {
  minTextChars: 600,
  maxLineChars: 300,
  minProbability: 0.5,
  wholeMessageTasks: new Set(['faq', 'conversation', 'other']),
};

/**
 * The first and last non-blank lines of `text`, trimmed, that are at most `maxChars` long (the
 * same line once when the text has one line). Each line break is looked for within `maxChars + 1`
 * characters of its end of the text, so a 100,000-character prompt on one line costs no more than a
 * short one. Two small strings per long prompt, nothing per token.
 */
export function readInstructionLines(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length && text.charCodeAt(start) <= 32) start += 1;
  let end = text.length;
  while (end > start && text.charCodeAt(end - 1) <= 32) end -= 1;
  if (start >= end) return lines;
  // Both ends are characters that are not white space, so neither line can be empty.
  let firstEnd = start;
  const firstLimit = Math.min(end, start + maxChars + 1);
  while (firstEnd < firstLimit && text.charCodeAt(firstEnd) !== 10) firstEnd += 1;
  if (firstEnd - start <= maxChars) lines.push(text.slice(start, firstEnd).trim());
  let lastStart = end;
  const lastLimit = Math.max(start, end - maxChars - 1);
  while (lastStart > lastLimit && text.charCodeAt(lastStart - 1) !== 10) lastStart -= 1;
  if (lastStart > start && end - lastStart <= maxChars) lines.push(text.slice(lastStart, end).trim());
  return lines;
}
