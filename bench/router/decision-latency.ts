// Decision latency of the router's shipped classifiers (task type + complexity, and with the
// in-scope model), on one core, for prompts of 100, 500 and 2,000 characters.
// Run: npm run bench:router   (writes bench/router/results.json and prints a table)
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OutcomeData, readRouterData } from '../../src/analysis/index.js';
import { BUILTIN_ROUTER_MODELS } from '../../src/create-task-classifier.js';
import { loadTextClassifier, TrainedTaskClassifier } from '../../src/routing/index.js';

const taskType = loadTextClassifier(join(BUILTIN_ROUTER_MODELS, 'task-type.json'));
const strongNeeded = loadTextClassifier(join(BUILTIN_ROUTER_MODELS, 'strong-needed.json'));
const inScope = loadTextClassifier(join(BUILTIN_ROUTER_MODELS, 'in-scope.json'));
const routers = {
  'task type + complexity': new TrainedTaskClassifier({ taskType, strongNeeded }),
  'task type + complexity + in-scope': new TrainedTaskClassifier({ taskType, strongNeeded, inScope }),
};

// Real prompts, not a repeated sentence: MMLU questions (some with long passages) joined until a
// prompt is long enough. A repeated text would flatter the feature hasher, which merges repeated
// n-grams into one entry.
const MMLU = fileURLToPath(new URL('../../../shared/data/routing/mmlu-outcomes.dev.csv', import.meta.url));
const QUESTIONS = ((await readRouterData(MMLU, 'outcomes')) as OutcomeData).rows.map((row) => row.prompt);

function makePrompts(length: number, count: number): string[] {
  const prompts: string[] = [];
  for (let index = 0; index < count; index += 1) {
    // Each prompt starts at a different question, so every prompt differs (no caching effects).
    let text = '';
    for (let next = index * 3; text.length < length; next += 1)
      text += `${QUESTIONS[next % QUESTIONS.length]}\n\n`;
    prompts.push(text.slice(0, length));
  }
  return prompts;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

interface Round {
  p50: number;
  p99: number;
  rate: number;
}

/** One round of one row: 20,000 decisions, each timed alone, after a warm-up. */
function measure(router: TrainedTaskClassifier, prompts: string[]): Round {
  for (const prompt of prompts.slice(0, 500)) router.classify(prompt); // warm-up (JIT, caches)
  const samples = new Float64Array(20_000);
  const started = performance.now();
  for (let index = 0; index < samples.length; index += 1) {
    const prompt = prompts[index % prompts.length] as string;
    const t0 = performance.now();
    router.classify(prompt);
    samples[index] = (performance.now() - t0) * 1000;
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  samples.sort();
  return {
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    rate: samples.length / elapsedSeconds,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const tenth = (value: number) => Math.round(value * 10) / 10;

// Every row is measured in ROUNDS rounds, the rows taking turns, and reported by the median round:
// the machine is shared, and a busy second of a neighbour's would otherwise decide a row's p99.
// Each round is kept in the file (p99 and throughput ranges), so nothing is hidden.
const ROUNDS = 3;
const rows = Object.entries(routers).flatMap(([name, router]) =>
  [100, 500, 2_000].map((length) => ({ name, router, length, prompts: makePrompts(length, 2_000) })),
);
const rounds = rows.map((): Round[] => []);
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [index, row] of rows.entries()) rounds[index]?.push(measure(row.router, row.prompts));
}
const results = rows.map((row, index) => {
  const measured = rounds[index] as Round[];
  const result = {
    router: row.name,
    promptChars: row.length,
    p50Microseconds: tenth(median(measured.map((round) => round.p50))),
    p99Microseconds: tenth(median(measured.map((round) => round.p99))),
    decisionsPerSecond: Math.round(median(measured.map((round) => round.rate))),
    rounds: measured.length,
    // Objects, not [low, high] arrays, so the file is written as the formatter would write it.
    p99RangeMicroseconds: {
      low: tenth(Math.min(...measured.map((round) => round.p99))),
      high: tenth(Math.max(...measured.map((round) => round.p99))),
    },
    decisionsPerSecondRange: {
      low: Math.round(Math.min(...measured.map((round) => round.rate))),
      high: Math.round(Math.max(...measured.map((round) => round.rate))),
    },
  };
  console.log(JSON.stringify(result));
  return result;
});
const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
};
writeFileSync(new URL('results.json', import.meta.url), `${JSON.stringify({ machine, results }, null, 2)}\n`);
