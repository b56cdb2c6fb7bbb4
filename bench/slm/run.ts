// The embedded backend (LlamaCppChatModel, as the gateway runs it) on random-weight GGUFs of real
// shapes: time to first token (a short prompt and a 500-token one), one stream's decode tokens/s,
// and the aggregate decode tokens/s of 1..N concurrent streams on one model with N sequences;
// then how the bounded queue behaves past capacity. With SLM_LLAMA_CPP_BIN, llama.cpp's own
// llama-bench and llama-batched-bench run on the same files in the same run.
// Run: npm run bench:slm   (CPU: bench/slm/results.json; the GGUFs are written to the OS temp
// folder on first run: speed does not depend on weight values, so nothing is downloaded).
// On a GPU machine: SLM_GPU=cuda SLM_SHAPES=0.5b,1.5b SLM_STREAMS=1,8,32 SLM_THREADS=4
// SLM_LLAMA_CPP_BIN=<folder> SLM_RESULTS=results-cuda.json (RESULTS.md says how it ran).
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { getLlama } from 'node-llama-cpp';
import { parseConfig } from '../../src/config/index.js';
import type { ChatRequest } from '../../src/contract/index.js';
import { LlamaCppChatModel } from '../../src/providers/llama-cpp/index.js';
import { measureThroughGateway } from './gateway-layer.js';
import { runLlamaCppReference } from './llama-cpp-tools.js';
import { modelFile, SHAPES } from './write-models.js';

const gpu = (process.env.SLM_GPU ?? 'off') === 'off' ? false : (process.env.SLM_GPU as 'cuda' | 'auto');
const threads = Number(process.env.SLM_THREADS ?? cpus().length);
const shapes = (process.env.SLM_SHAPES ?? '0.5b').split(',');
const streamCounts = (process.env.SLM_STREAMS ?? '1,2').split(',').map(Number);
const runs = Number(process.env.SLM_RUNS ?? 5);
const flashAttention = process.env.SLM_FLASH === 'false' ? false : 'auto';
const toolsDir = process.env.SLM_LLAMA_CPP_BIN;
const maxTokens = 64;
const longPromptLength = 500;
function configFor(path: string, parallel: number, maxWaiting: number) {
  return parseConfig(
    {
      models: {
        local: {
          provider: 'llama-cpp',
          model: path,
          threads,
          gpu,
          contextSize: 1024,
          parallel,
          flashAttention,
          queue: { maxWaiting, timeoutMs: 60_000 },
        },
      },
      routing: { default: 'local' },
    },
    'bench',
  );
}

function modelConfig(config: ReturnType<typeof configFor>) {
  const model = config.models.local;
  if (model?.provider !== 'llama-cpp') throw new Error('unreachable');
  return model;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (value: number) => Math.round(value * 10) / 10;
const shortRequest: ChatRequest = {
  messages: [{ role: 'user', content: 'Tell me a story about a lighthouse keeper and a storm.' }],
  maxOutputTokens: maxTokens,
  temperature: 0,
};

/** A user message of about `tokens` tokens in the model's own vocabulary. */
function longRequest(model: LlamaCppChatModel, tokens: number): ChatRequest {
  const sentence = 'The keeper climbed the stairs again and watched the grey sea under the storm. ';
  let content = sentence;
  while (model.countTokens(content) < tokens) content += sentence;
  return { ...shortRequest, messages: [{ role: 'user', content }] };
}

/** One streamed generation: when its first token came, when it ended, how many it made. */
async function generateOnce(model: LlamaCppChatModel, request: ChatRequest) {
  const started = performance.now();
  let first: number | undefined;
  let outputTokens = 0;
  for await (const part of model.doStream(request, new AbortController().signal)) {
    if (part.type === 'text-delta' && first === undefined) first = performance.now();
    if (part.type === 'finish') outputTokens = part.usage.outputTokens;
  }
  const ended = performance.now();
  return { started, first: first ?? ended, ended, outputTokens };
}

/** `streams` generations at once: decode tokens/s together (after each one's first token). */
async function concurrent(model: LlamaCppChatModel, streams: number) {
  const all = await Promise.all(Array.from({ length: streams }, () => generateOnce(model, shortRequest)));
  const firstToken = Math.min(...all.map((one) => one.first));
  const lastEnd = Math.max(...all.map((one) => one.ended));
  const decoded = all.reduce((sum, one) => sum + one.outputTokens - 1, 0);
  const output = all.reduce((sum, one) => sum + one.outputTokens, 0);
  return {
    decodeTokensPerSecond: decoded / ((lastEnd - firstToken) / 1000),
    endToEndTokensPerSecond: output / ((lastEnd - (all[0]?.started ?? 0)) / 1000),
    outputTokens: output,
  };
}

const results: Record<string, unknown>[] = [];
for (const shape of shapes) {
  const path = modelFile(shape);
  const config = configFor(path, Math.max(...streamCounts), 64);
  const model = await LlamaCppChatModel.load({ name: 'local', config: modelConfig(config), modelPath: path });
  const long = longRequest(model, longPromptLength);
  const ttft: number[] = [];
  const ttftLong: number[] = [];
  const decode: number[] = [];
  await generateOnce(model, shortRequest);
  await generateOnce(model, long);
  for (let run = 0; run < runs; run += 1) {
    const one = await generateOnce(model, shortRequest);
    ttft.push(one.first - one.started);
    decode.push((one.outputTokens - 1) / ((one.ended - one.first) / 1000));
    const longOne = await generateOnce(model, long);
    ttftLong.push(longOne.first - longOne.started);
  }
  // Rounds over the stream counts, interleaved, so that a busy moment on a shared machine does not
  // land on one count only; medians of three rounds.
  const measured: Record<string, Awaited<ReturnType<typeof concurrent>>[]> = {};
  for (const count of streamCounts) await concurrent(model, count);
  for (let run = 0; run < 3; run += 1) {
    for (const count of streamCounts) (measured[count] ??= []).push(await concurrent(model, count));
  }
  const pick = (key: 'decodeTokensPerSecond' | 'endToEndTokensPerSecond' | 'outputTokens') =>
    Object.fromEntries(
      streamCounts.map((count) => [
        count,
        Math.round(median((measured[count] ?? []).map((one) => one[key]))),
      ]),
    );
  const streams = pick('decodeTokensPerSecond');
  const streamsEndToEnd = pick('endToEndTokensPerSecond');
  const streamsOutputTokens = pick('outputTokens');
  const longPromptTokens = model.countTokens(long.messages[0]?.content ?? '');
  const batchGate = { ...model.batchGate.released };
  const gateway =
    process.env.SLM_GATEWAY === '0'
      ? undefined
      : await measureThroughGateway({
          config,
          model,
          content: shortRequest.messages[0]?.content ?? '',
          maxTokens,
          streams: streamCounts,
          runs,
        }).catch((error: unknown) => ({ error: String(error) }));
  await model.close();
  const row: Record<string, unknown> = {
    shape,
    threads,
    flashAttention,
    runs,
    maxTokens,
    ttftMsMedian: round(median(ttft)),
    ttftMsMedianAt500Tokens: round(median(ttftLong)),
    longPromptTokens,
    decodeTokensPerSecondMedian: round(median(decode)),
    streams,
    streamsEndToEnd,
    streamsOutputTokens,
    batchGate,
    gateway,
  };
  if (toolsDir) {
    Object.assign(
      row,
      runLlamaCppReference({
        dir: toolsDir,
        model: path,
        threads,
        tokens: maxTokens,
        streams: streamCounts,
        promptTokens: 32,
        flashAttention: flashAttention !== false,
      }),
    );
  }
  results.push(row);
  console.log(JSON.stringify(row));
}

// Past capacity: one sequence, four waiting slots, twenty requests at once.
{
  const path = modelFile(shapes[0] as string);
  const model = await LlamaCppChatModel.load({
    name: 'local',
    config: modelConfig(configFor(path, 1, 4)),
    modelPath: path,
  });
  const short = { ...shortRequest, maxOutputTokens: 16 };
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
