// Decision latency of the router's shipped classifiers (task type + complexity, and with the
// in-scope model), on one core, for prompts of 100, 500 and 2,000 characters.
// Run: npm run bench:router   (writes bench/router/results.json and prints a table)
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_ROUTER_MODELS } from '../../src/create-task-classifier.js';
import { loadTextClassifier, TrainedTaskClassifier } from '../../src/routing/index.js';

const taskType = loadTextClassifier(join(BUILTIN_ROUTER_MODELS, 'task-type.json'));
const strongNeeded = loadTextClassifier(join(BUILTIN_ROUTER_MODELS, 'strong-needed.json'));
const inScope = loadTextClassifier(join(BUILTIN_ROUTER_MODELS, 'in-scope.json'));
const routers = {
  'task type + complexity': new TrainedTaskClassifier({ taskType, strongNeeded }),
  'task type + complexity + in-scope': new TrainedTaskClassifier({ taskType, strongNeeded, inScope }),
};

const SOURCE =
  'My card payment was declined twice at the supermarket even though my balance is fine. ' +
  'Can you explain step by step what could cause this, compute how much I spent this week ' +
  '(12.50 + 48.20 + 7.99), and write a short Python function that flags repeated declines? ';

function makePrompts(length: number, count: number): string[] {
  const prompts: string[] = [];
  for (let index = 0; index < count; index += 1) {
    // Rotate the source so every prompt differs (no caching effects).
    const start = (index * 37) % SOURCE.length;
    let text = '';
    while (text.length < length) text += SOURCE.slice(start) + SOURCE.slice(0, start);
    prompts.push(`${index} ${text}`.slice(0, length));
  }
  return prompts;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

const results: Record<string, unknown>[] = [];
for (const [name, router] of Object.entries(routers)) {
  for (const length of [100, 500, 2_000]) {
    const prompts = makePrompts(length, 2_000);
    for (const prompt of prompts.slice(0, 500)) router.classify(prompt); // warm-up (JIT)
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
    const row = {
      router: name,
      promptChars: length,
      p50Microseconds: Math.round(percentile(samples, 0.5) * 10) / 10,
      p99Microseconds: Math.round(percentile(samples, 0.99) * 10) / 10,
      decisionsPerSecond: Math.round(samples.length / elapsedSeconds),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
}
const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
};
writeFileSync(new URL('results.json', import.meta.url), `${JSON.stringify({ machine, results }, null, 2)}\n`);
