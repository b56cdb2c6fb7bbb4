// Embedded backend throughput on CPU: time to first token and decode tokens/s with explicit thread
// counts, and how the bounded queue behaves past capacity (429s, not collapse).
// Run: npm run bench:slm   (writes bench/slm/results.json; a random-weight 0.5B-shaped GGUF is
// generated in the OS temp folder on first run: speed does not depend on weight values).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/index.js';
import { LlamaCppChatModel } from '../../src/providers/llama-cpp/index.js';
import { HALF_BILLION, writeRandomGguf } from './write-random-gguf.js';

const folder = join(tmpdir(), 'switchyard-bench');
mkdirSync(folder, { recursive: true });
const path = join(folder, 'random-llama-0.5b-q8_0.gguf');
if (!existsSync(path)) writeRandomGguf(path, HALF_BILLION);
const runs = Number(process.env.SLM_RUNS ?? 5);
const maxTokens = 64;

function configFor(threads: number, parallel: number, maxWaiting: number) {
  const config = parseConfig(
    {
      models: {
        local: {
          provider: 'llama-cpp',
          model: path,
          threads,
          gpu: false,
          contextSize: 1024,
          parallel,
          queue: { maxWaiting, timeoutMs: 60_000 },
        },
      },
      routing: { default: 'local' },
    },
    'bench',
  ).models.local;
  if (config?.provider !== 'llama-cpp') throw new Error('unreachable');
  return config;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const request = {
  messages: [{ role: 'user' as const, content: 'Tell me a story about a lighthouse keeper and a storm.' }],
  maxOutputTokens: maxTokens,
  temperature: 0,
};
const results: Record<string, unknown>[] = [];

for (const threads of [1, cpus().length]) {
  const model = await LlamaCppChatModel.load({
    name: 'local',
    config: configFor(threads, 1, 8),
    modelPath: path,
  });
  const ttft: number[] = [];
  const decode: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const started = performance.now();
    let first: number | undefined;
    let outputTokens = 0;
    for await (const part of model.doStream(request, new AbortController().signal)) {
      if (part.type === 'text-delta' && first === undefined) first = performance.now();
      if (part.type === 'finish') outputTokens = part.usage.outputTokens;
    }
    const ended = performance.now();
    if (run === 0 || first === undefined) continue; // warm-up
    ttft.push(first - started);
    decode.push((outputTokens - 1) / ((ended - first) / 1000));
  }
  const row = {
    threads,
    runs,
    maxTokens,
    ttftMsMedian: Math.round(median(ttft)),
    decodeTokensPerSecondMedian: Math.round(median(decode) * 10) / 10,
  };
  results.push(row);
  console.log(JSON.stringify(row));
  await model.close();
}

// Past capacity: one sequence, four waiting slots, twenty requests at once.
{
  const model = await LlamaCppChatModel.load({
    name: 'local',
    config: configFor(cpus().length, 1, 4),
    modelPath: path,
  });
  const short = { ...request, maxOutputTokens: 16 };
  const outcomes = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const started = performance.now();
      try {
        await model.doGenerate(short, new AbortController().signal);
        return { status: 200, ms: performance.now() - started };
      } catch (error) {
        return { status: (error as { status?: number }).status ?? 500, ms: performance.now() - started };
      }
    }),
  );
  const rejected = outcomes.filter((outcome) => outcome.status === 429);
  const row = {
    concurrent: 20,
    parallel: 1,
    maxWaiting: 4,
    answered: outcomes.filter((outcome) => outcome.status === 200).length,
    rejected429: rejected.length,
    otherErrors: outcomes.filter((outcome) => outcome.status !== 200 && outcome.status !== 429).length,
    rejectedWithinMsMax: Math.round(Math.max(...rejected.map((outcome) => outcome.ms), 0)),
  };
  results.push(row);
  console.log(JSON.stringify(row));
  await model.close();
}

const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  model: `random weights, ${JSON.stringify(HALF_BILLION)}, q8_0`,
};
writeFileSync(new URL('results.json', import.meta.url), `${JSON.stringify({ machine, results }, null, 2)}\n`);
