// Embedded backend throughput on CPU: time to first token and decode tokens/s with explicit thread
// counts, and how the bounded queue behaves past capacity (429s, not collapse).
// Run: npm run bench:slm   (writes bench/slm/results.json; a random-weight 0.5B-shaped GGUF is
// generated in the OS temp folder on first run: speed does not depend on weight values).
// On a GPU machine: SLM_GPU=cuda SLM_SHAPES=0.5b,1.5b SLM_THREADS=4 SLM_PARALLEL=8
// SLM_RESULTS=results-cuda.json (bench/slm/RESULTS.md says how it ran on the device machine).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama } from 'node-llama-cpp';
import { parseConfig } from '../../src/config/index.js';
import { LlamaCppChatModel } from '../../src/providers/llama-cpp/index.js';
import {
  HALF_BILLION,
  ONE_AND_A_HALF_BILLION,
  type RandomModelShape,
  writeRandomGguf,
} from './write-random-gguf.js';

const SHAPES: Record<string, RandomModelShape> = { '0.5b': HALF_BILLION, '1.5b': ONE_AND_A_HALF_BILLION };
const gpu = (process.env.SLM_GPU ?? 'off') === 'off' ? false : (process.env.SLM_GPU as 'cuda' | 'auto');
const threadCounts = (process.env.SLM_THREADS ?? `1,${cpus().length}`).split(',').map(Number);
const shapes = (process.env.SLM_SHAPES ?? '0.5b').split(',');
// Concurrent streams on as many sequences, for aggregate decode speed (what batching buys on a GPU).
const parallel = Number(process.env.SLM_PARALLEL ?? 0);
const runs = Number(process.env.SLM_RUNS ?? 5);
const maxTokens = 64;
const folder = join(tmpdir(), 'switchyard-bench');
mkdirSync(folder, { recursive: true });

function modelFile(shapeName: string): string {
  const shape = SHAPES[shapeName];
  if (!shape)
    throw new Error(`SLM_SHAPES: unknown shape ${shapeName} (known: ${Object.keys(SHAPES).join(', ')})`);
  const file = join(folder, `random-llama-${shapeName}-q8_0.gguf`);
  if (!existsSync(file)) writeRandomGguf(file, shape);
  return file;
}

function configFor(path: string, threads: number, parallel: number, maxWaiting: number) {
  const config = parseConfig(
    {
      models: {
        local: {
          provider: 'llama-cpp',
          model: path,
          threads,
          gpu,
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

/** One streamed generation: time to first token, and decode speed after it. */
async function generateOnce(model: LlamaCppChatModel) {
  const started = performance.now();
  let first: number | undefined;
  let outputTokens = 0;
  for await (const part of model.doStream(request, new AbortController().signal)) {
    if (part.type === 'text-delta' && first === undefined) first = performance.now();
    if (part.type === 'finish') outputTokens = part.usage.outputTokens;
  }
  const ended = performance.now();
  return {
    ttftMs: (first ?? ended) - started,
    decodeTokensPerSecond: (outputTokens - 1) / ((ended - (first ?? ended)) / 1000),
    outputTokens,
    ms: ended - started,
  };
}

for (const shape of shapes) {
  const path = modelFile(shape);
  for (const threads of threadCounts) {
    const model = await LlamaCppChatModel.load({
      name: 'local',
      config: configFor(path, threads, Math.max(1, parallel), 8),
      modelPath: path,
    });
    const ttft: number[] = [];
    const decode: number[] = [];
    await generateOnce(model); // warm-up
    for (let run = 0; run < runs; run += 1) {
      const one = await generateOnce(model);
      ttft.push(one.ttftMs);
      decode.push(one.decodeTokensPerSecond);
    }
    const row: Record<string, unknown> = {
      shape,
      threads,
      runs,
      maxTokens,
      ttftMsMedian: Math.round(median(ttft) * 10) / 10,
      decodeTokensPerSecondMedian: Math.round(median(decode) * 10) / 10,
    };
    if (parallel > 1) {
      // `parallel` streams at once, one per sequence: the answer's aggregate output tokens per second.
      const started = performance.now();
      const all = await Promise.all(Array.from({ length: parallel }, () => generateOnce(model)));
      const seconds = (performance.now() - started) / 1000;
      row.concurrentStreams = parallel;
      row.aggregateTokensPerSecond = Math.round(
        all.reduce((sum, one) => sum + one.outputTokens, 0) / seconds,
      );
    }
    results.push(row);
    console.log(JSON.stringify(row));
    await model.close();
  }
}

// Past capacity: one sequence, four waiting slots, twenty requests at once.
{
  const model = await LlamaCppChatModel.load({
    name: 'local',
    config: configFor(modelFile(shapes[0] as string), threadCounts.at(-1) as number, 1, 4),
    modelPath: modelFile(shapes[0] as string),
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

// What the backend really ran on (a CUDA request falls back to CPU if the CUDA build cannot load).
const llama = await getLlama({ gpu });
const backend = { gpu: llama.gpu, devices: llama.gpu ? await llama.getGpuDeviceNames() : [] };
const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  models: Object.fromEntries(
    shapes.map((name) => [name, `random weights, ${JSON.stringify(SHAPES[name])}, q8_0`]),
  ),
  backend,
};
writeFileSync(
  new URL(process.env.SLM_RESULTS ?? 'results.json', import.meta.url),
  `${JSON.stringify({ machine, results }, null, 2)}\n`,
);
