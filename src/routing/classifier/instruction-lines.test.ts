import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSTRUCTION_READING, readInstructionLines } from './instruction-lines.js';
import { loadTextClassifier } from './load-text-classifier.js';
import { TrainedTaskClassifier } from './trained-task-classifier.js';

/** A seeded generator (Park and Miller's), so that a failing case can be run again. */
function createTestRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

const shippedTaskType = new URL('../../../models/router/task-type.json', import.meta.url).pathname;

describe('readInstructionLines', () => {
  it('gives the first and last non-blank lines, trimmed, when they are short enough', () => {
    assert.deepEqual(readInstructionLines('\n\n  Summarize this:  \nline two\n\n Thanks! \n\n', 300), [
      'Summarize this:',
      'Thanks!',
    ]);
    assert.deepEqual(readInstructionLines('a\r\nb\r\nc', 300), ['a', 'c']);
  });

  it('leaves out a line longer than the limit, and gives a single line once', () => {
    assert.deepEqual(readInstructionLines(`${'x'.repeat(40)}\nFix it.`, 30), ['Fix it.']);
    assert.deepEqual(readInstructionLines(`Fix it.\n${'x'.repeat(40)}`, 30), ['Fix it.']);
    assert.deepEqual(readInstructionLines('  one line only  ', 300), ['one line only']);
    assert.deepEqual(readInstructionLines(' \n\t ', 300), []);
    assert.deepEqual(readInstructionLines('y'.repeat(100_000), 300), []);
  });

  it('finds the same lines as splitting the whole text would, over random texts', () => {
    // The reader looks for line breaks only near the ends; splitting is the plain definition.
    const reference = (text: string, maxChars: number) => {
      const all = text.trim().split('\n');
      if (all.length === 1 && all[0] === '') return [];
      const first = all[0] as string;
      const last = all.at(-1) as string;
      const lines = first.length <= maxChars ? [first.trim()] : [];
      if (all.length > 1 && last.length <= maxChars) lines.push(last.trim());
      return lines;
    };
    const random = createTestRandom(7);
    const pieces = ['word ', 'x', '\n', '\n\n', ' ', '\t', 'Summarize this.', '\r\n'];
    for (let round = 0; round < 2_000; round += 1) {
      const count = Math.floor(random() * 40);
      const text = Array.from({ length: count }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const maxChars = 1 + Math.floor(random() * 30);
      assert.deepEqual(
        readInstructionLines(text, maxChars),
        reference(text, maxChars),
        JSON.stringify({ text, maxChars }),
      );
    }
  });
});

describe('TrainedTaskClassifier reading a long prompt by its instruction line', () => {
  const taskType = loadTextClassifier(shippedTaskType);
  const router = new TrainedTaskClassifier({ taskType });
  // The same model, every prompt read whole.
  const wholeOnly = new TrainedTaskClassifier(
    { taskType },
    { ...INSTRUCTION_READING, minTextChars: Number.POSITIVE_INFINITY },
  );
  const logs = Array.from(
    { length: 30 },
    (_, index) =>
      `2026-03-0${(index % 9) + 1}T1${index % 10}:04:11Z ${['INFO', 'WARN', 'ERROR'][index % 3]} orders-service job=${4000 + index} ${['batch committed', 'slow query 2,300 ms', 'deadlock detected, retrying'][index % 3]}`,
  ).join('\n');

  it('takes the task from the instruction after a pasted log, where the log alone reads as extraction', () => {
    const prompt = `${logs}\n\nWrite a Go program that reads these lines and prints how many errors each job had.`;
    assert.notEqual(wholeOnly.classify(prompt).taskType, 'code');
    const decision = router.classify(prompt);
    assert.equal(decision.taskType, 'code');
    assert.ok(decision.taskTypeProbability >= INSTRUCTION_READING.minProbability);
  });

  it('takes it from an instruction before the text too', () => {
    const prompt = `Give me a short summary of the log below for the incident report.\n\n${logs}`;
    assert.notEqual(wholeOnly.classify(prompt).taskType, 'summarization');
    assert.equal(router.classify(prompt).taskType, 'summarization');
  });

  it('keeps the whole reading when no line reads as a task asked of a text', () => {
    // A long exam question: its last line ("Answer:") and its options are not instructions.
    const passage =
      'The committee reviewed the records of the harbour authority for the years 1890 to 1910. '.repeat(8);
    const prompt = `${passage}\nWhich conclusion do the records best support?\nA. Trade grew\nB. Trade fell\nC. Trade was flat\nD. The records are incomplete\nAnswer:`;
    assert.equal(router.classify(prompt).taskType, wholeOnly.classify(prompt).taskType);
    // Short prompts are read whole only.
    const short = 'Summarize:\nthe meeting moved the launch to March.';
    assert.deepEqual(router.classify(short), wholeOnly.classify(short));
  });
});
