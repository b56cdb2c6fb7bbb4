import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildTaskTypeExamples, TASK_TYPES, type TaskTypeSources } from './build-task-type-examples.js';
import { readTaskTypeSources } from './read-task-type-sources.js';
import type { TrainingExample } from './training-example.js';

const shared = new URL('../../../../shared/data/', import.meta.url).pathname;

describe('buildTaskTypeExamples', () => {
  let sources: TaskTypeSources;
  let examples: TrainingExample[];
  before(async () => {
    sources = await readTaskTypeSources(shared);
    examples = buildTaskTypeExamples(sources, { perType: 300, seed: 1 });
  });

  it('covers every task type, the same way for the same seed', () => {
    for (const type of TASK_TYPES) {
      assert.ok(examples.filter((example) => example.label === type).length > 100, type);
    }
    assert.deepEqual(buildTaskTypeExamples(sources, { perType: 300, seed: 1 }), examples);
    assert.notDeepEqual(buildTaskTypeExamples(sources, { perType: 300, seed: 2 }), examples);
  });

  it('has long prompts for the tasks an instruction decides, the instruction first or last', () => {
    // Without them every prompt over 1,000 characters was maths, reasoning or "other" (their
    // sources' long passages), and a long "summarize this document" was routed as such.
    const instructions: Record<string, RegExp> = {
      summarization:
        /^(Summarize the following document|Here is a long thread|Please write an executive summary)|Summarize the above in three bullet points\.$/,
      extraction: /^From the document below, extract every|mentioned above, one per line\.$/,
      classification: /^Classify each of these customer messages|Label every message above with its topic/,
      code: /^(Review this file|Here is our module)|Refactor the code above and add unit tests\.$|Write a function that uses it/,
    };
    for (const [type, instruction] of Object.entries(instructions)) {
      const long = examples.filter(
        (example) => example.label === type && example.text.length > 1_000 && instruction.test(example.text),
      );
      assert.ok(long.length > 30, `${type}: ${long.length} long instruction-led prompts`);
      // Both placements occur: the instruction before the text and after it.
      assert.ok(
        long.some((example) => instruction.test(example.text.slice(0, 60))),
        type,
      );
      assert.ok(
        long.some(
          (example) =>
            instruction.test(example.text.slice(-100)) && !instruction.test(example.text.slice(0, 60)),
        ),
        type,
      );
    }
  });
});
