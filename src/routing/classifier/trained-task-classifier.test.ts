import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { FeatureSettings } from './feature-settings.js';
import { loadTextClassifier } from './load-text-classifier.js';
import { computeStrongNeed } from './strong-need.js';
import type { TextClassifier } from './text-classifier.js';
import { sharedTextLength, TrainedTaskClassifier } from './trained-task-classifier.js';

const models = new URL('../../../models/router/', import.meta.url).pathname;
const data = new URL('../../../../shared/data/', import.meta.url).pathname;
const fixture = new URL('./__fixtures__/shipped-router-decisions.json', import.meta.url).pathname;
const MODEL_FILES = ['task-type.json', 'strong-needed.json', 'in-scope.json'] as const;
const classifiers = MODEL_FILES.map((name) => loadTextClassifier(`${models}${name}`));
const [taskType, strongNeeded, inScope] = classifiers as [TextClassifier, TextClassifier, TextClassifier];
const router = new TrainedTaskClassifier({ taskType, strongNeeded, inScope });

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

const prompts = readPrompts();

describe('the shipped router on real prompts', () => {
  it('decides and scores exactly as recorded (the probabilities bit for bit)', () => {
    const actual = recordDecisions(prompts);
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

  it('gives each model the reading it would make alone, whether its features are shared, forked or its own', () => {
    const probabilities = new Float64Array(strongNeeded.labels.length);
    for (const prompt of prompts) {
      const decision = router.classify(prompt);
      assert.equal(decision.intent, inScope.predict(prompt).label, prompt);
      strongNeeded.predictInto(prompt, probabilities);
      const complexity = computeStrongNeed(strongNeeded.labels, probabilities);
      assert.equal(decision.complexity, Math.round(complexity * 1000) / 1000, prompt);
      // Up to 600 characters the task type is the whole prompt's (longer ones: instruction lines).
      if (prompt.length <= 600) assert.equal(decision.taskType, taskType.predict(prompt).label, prompt);
    }
  });

  it('judges scope by the first 140 characters of a message, whatever follows', () => {
    const opening = prompts.find((prompt) => prompt.length > 300)?.slice(0, 140) as string;
    const alone = router.classify(opening).intent;
    assert.equal(router.classify(`${opening} and then a long story about something else`).intent, alone);
    assert.equal(router.classify(`${opening}${' filler words'.repeat(200)}`).intent, alone);
  });
});

describe('sharedTextLength', () => {
  const settings: FeatureSettings = {
    bucketBits: 14,
    wordNgrams: [1, 2],
    charNgramMin: 3,
    charNgramMax: 5,
    charNgramWeight: 1,
    charNgramChars: 0,
    foldDigits: true,
    structural: true,
  };

  it('shares one hashing between models only for texts both read the same way', () => {
    const headTail = { ...settings, maxChars: 500, tailChars: 500 };
    assert.equal(sharedTextLength(headTail, { ...headTail }), Number.POSITIVE_INFINITY);
    // An opening-only model reads texts up to 200 characters whole, as the head-and-tail one does.
    assert.equal(sharedTextLength(headTail, { ...settings, maxChars: 200 }), 200);
    assert.equal(sharedTextLength(headTail, settings), 1_000);
    assert.equal(sharedTextLength(settings, { ...settings, maxChars: 200, tailChars: 0 }), 200);
    assert.equal(sharedTextLength(headTail, { ...headTail, bucketBits: 16 }), -1);
  });
});
