import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadTextClassifier } from './load-text-classifier.js';
import type { TextClassifier } from './text-classifier.js';
import { TrainedTaskClassifier } from './trained-task-classifier.js';

const models = new URL('../../../models/router/', import.meta.url).pathname;
const data = new URL('../../../../shared/data/', import.meta.url).pathname;
const fixture = new URL('./__fixtures__/shipped-router-decisions.json', import.meta.url).pathname;
const MODEL_FILES = ['task-type.json', 'strong-needed.json', 'in-scope.json'] as const;

interface DecisionFixture {
  /** sha256 of each model file the decisions were recorded with. */
  models: Record<string, string>;
  prompts: number;
  /** Per model, sha256 of the probabilities (float64 bytes) it gave every prompt, read whole. */
  probabilities: Record<string, string>;
  /** Per prompt, the router's decision: task type, its probability, complexity, intent. */
  decisions: string[];
}

function sha256(bytes: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Real prompts of every length the router sees: CLINC150 requests (short), MT-Bench questions, and
 * both joined into long prompts (600 to 6,000 characters) so that head-and-tail readings,
 * instruction lines and the in-scope model's fork are all exercised.
 */
function readPrompts(): string[] {
  const clinc = JSON.parse(readFileSync(`${data}intent/clinc150.train.json`, 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const requests = [
    ...(clinc.val ?? []).filter((_, index) => index % 10 === 0),
    ...(clinc.oos_val ?? []).filter((_, index) => index % 5 === 0),
  ].map(([text]) => text);
  const questions = readFileSync(`${data}routing/mt-bench-questions.jsonl`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => (JSON.parse(line) as { turns: string[] }).turns);
  const pieces = [...questions, ...requests];
  const long: string[] = [];
  for (let index = 0; index < 120; index += 1) {
    const length = [600, 900, 1_500, 3_000, 6_000][index % 5] as number;
    let text = '';
    for (let next = index * 7; text.length < length; next += 1)
      text += `${pieces[next % pieces.length]}${index % 3 === 0 ? ' ' : '\n\n'}`;
    long.push(text.slice(0, length));
  }
  return [...requests, ...questions, ...long];
}

function probabilityDigest(model: TextClassifier, prompts: readonly string[]): string {
  const all = new Float64Array(prompts.length * model.labels.length);
  prompts.forEach((prompt, index) => {
    model.predictInto(prompt, all.subarray(index * model.labels.length, (index + 1) * model.labels.length));
  });
  return sha256(new Uint8Array(all.buffer));
}

/** Everything the shipped router gives for the prompts, to compare with a recorded run. */
function recordDecisions(prompts: readonly string[]): DecisionFixture {
  const classifiers = MODEL_FILES.map((name) => loadTextClassifier(`${models}${name}`));
  const [taskType, strongNeeded, inScope] = classifiers;
  const router = new TrainedTaskClassifier({ taskType, strongNeeded, inScope });
  return {
    models: Object.fromEntries(MODEL_FILES.map((name) => [name, sha256(readFileSync(`${models}${name}`))])),
    prompts: prompts.length,
    probabilities: Object.fromEntries(
      MODEL_FILES.map((name, index) => [
        name,
        probabilityDigest(classifiers[index] as TextClassifier, prompts),
      ]),
    ),
    decisions: prompts.map((prompt) => {
      const decision = router.classify(prompt);
      return `${decision.taskType} ${decision.taskTypeProbability} ${decision.complexity} ${decision.intent}`;
    }),
  };
}

describe('the shipped router on real prompts', () => {
  it('decides and scores exactly as recorded (the probabilities bit for bit)', () => {
    const actual = recordDecisions(readPrompts());
    // Recording again is for a retrained model only: a change of scoring code must match as it is.
    if (process.env.SWITCHYARD_RECORD_ROUTER_DECISIONS === '1')
      writeFileSync(fixture, `${JSON.stringify(actual, null, 1)}\n`);
    const expected = JSON.parse(readFileSync(fixture, 'utf8')) as DecisionFixture;
    assert.deepEqual(
      actual.models,
      expected.models,
      'the shipped models changed: record the decisions again (SWITCHYARD_RECORD_ROUTER_DECISIONS=1)',
    );
    assert.equal(actual.prompts, expected.prompts);
    assert.deepEqual(actual.decisions, expected.decisions);
    assert.deepEqual(actual.probabilities, expected.probabilities);
  });
});
