// Where the embedded backend's time goes, layer by layer, at 1 to N concurrent streams on one
// context with that many sequences (the backend's own layer and the gateway's are in run.ts):
// - native: a decode loop written directly on node-llama-cpp's addon (one llama_decode for all
//   streams' tokens, then each stream's sampling): the ceiling of the binding itself;
// - evaluate: LlamaContextSequence.evaluate per stream (node-llama-cpp batches their tokens);
// - chat: LlamaChat.generateResponse per stream (chat template, stop triggers, text decoding).
// Each row: aggregate tokens/s, the batch sizes llama_decode was given, and the share of wall time
// spent inside llama_decode (the rest is sampling, the thread hops and JavaScript).
// Run: SLM_GPU=cuda SLM_STREAMS=1,8,32 SLM_FLASH=auto,false node --import tsx bench/slm/layers.ts A.gguf [B.gguf]
// The native layer reaches into node-llama-cpp's internals (`_ctx`, `_bindings`): a measurement
// only, which a node-llama-cpp upgrade may break; nothing in src/ does this.
import { appendFileSync } from 'node:fs';
import {
  getLlama,
  LlamaChat,
  type LlamaContext,
  LlamaLogLevel,
  type LlamaModel,
  resolveChatWrapper,
} from 'node-llama-cpp';
import { BatchGate } from '../../src/providers/llama-cpp/batch-gate.js';

const paths = process.argv.slice(2);
if (paths.length === 0) throw new Error('usage: layers.ts MODEL.gguf [MODEL.gguf ...]');
const gpu = (process.env.SLM_GPU ?? 'off') === 'off' ? false : (process.env.SLM_GPU as 'cuda');
const streamCounts = (process.env.SLM_STREAMS ?? '1,2').split(',').map(Number);
const flashSettings = (process.env.SLM_FLASH ?? 'auto')
  .split(',')
  .map((value) => (value === 'auto' ? 'auto' : value === 'true'));
const threads = Number(process.env.SLM_THREADS ?? 1);
const tokensPerStream = Number(process.env.SLM_TOKENS ?? 64);
const runs = Number(process.env.SLM_RUNS ?? 3);
const layers = (process.env.SLM_LAYERS ?? 'native,evaluate,chat').split(',');
// With the backend's BatchGate (each pass waits for every generating stream's token) or without.
const gated = process.env.SLM_GATE !== '0';
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const promptText = 'Tell me a story about a lighthouse keeper and a storm.';

interface Probe {
  batches: Map<number, number>;
  decodeMs: number;
  reset(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: node-llama-cpp's native context is internal.
type NativeContext = any;

/** Counts batch sizes and time inside llama_decode by wrapping the context's native object. */
function attachProbe(context: LlamaContext): Probe {
  const holder = context as unknown as { _ctx: NativeContext };
  const native = holder._ctx;
  const probe: Probe = {
    batches: new Map(),
    decodeMs: 0,
    reset() {
      this.batches.clear();
      this.decodeMs = 0;
    },
  };
  const initBatch = (size: number) => {
    probe.batches.set(size, (probe.batches.get(size) ?? 0) + 1);
    return native.initBatch(size);
  };
  const decodeBatch = async () => {
    const started = performance.now();
    try {
      return await native.decodeBatch();
    } finally {
      probe.decodeMs += performance.now() - started;
    }
  };
  holder._ctx = new Proxy(native, {
    get(target, key) {
      if (key === 'initBatch') return initBatch;
      if (key === 'decodeBatch') return decodeBatch;
      const value = target[key];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return probe;
}

/** `streams` sequences decoded together by a loop on the addon: one llama_decode per step. */
async function nativeLoop(model: LlamaModel, context: LlamaContext, streams: number): Promise<number> {
  const native = (context as unknown as { _ctx: NativeContext })._ctx;
  const bindings = (model as unknown as { _llama: { _bindings: NativeContext } })._llama._bindings;
  const config = context.getSequence() as unknown as { _resolveSamplerConfig(o: object): object };
  const samplerConfig = config._resolveSamplerConfig({ temperature: 0 });
  (config as unknown as { dispose(): void }).dispose();
  const samplers = Array.from({ length: streams }, () => {
    const sampler = new bindings.AddonSampler((model as unknown as { _model: unknown })._model);
    sampler.applyConfig(samplerConfig);
    return sampler;
  });
  const prompt = Uint32Array.from(model.tokenize(promptText));
  for (let id = 0; id < streams; id += 1) native.disposeSequence(id);
  native.initBatch(streams * prompt.length);
  let logitIndexes = samplers.map(
    (_, id) => native.addToBatch(id, 0, prompt, Uint32Array.of(prompt.length - 1))[0] as number,
  );
  await native.decodeBatch();
  let tokens: number[] = await Promise.all(
    logitIndexes.map((index, id) => native.sampleToken(index, samplers[id])),
  );
  const started = performance.now();
  for (let step = 0; step < tokensPerStream - 1; step += 1) {
    native.initBatch(streams);
    logitIndexes = tokens.map(
      (token, id) => native.addToBatch(id, prompt.length + step, Uint32Array.of(token), Uint32Array.of(0))[0],
    );
    await native.decodeBatch();
    tokens = await Promise.all(logitIndexes.map((index, id) => native.sampleToken(index, samplers[id])));
  }
  const seconds = (performance.now() - started) / 1000;
  for (let id = 0; id < streams; id += 1) native.disposeSequence(id);
  for (const sampler of samplers) sampler.dispose();
  return (streams * (tokensPerStream - 1)) / seconds;
}

/** Aggregate decode tokens/s of `streams` concurrent generations, from the first token on. */
async function concurrently(streams: number, generate: (stream: number) => AsyncIterable<unknown>) {
  let first = 0;
  let count = 0;
  await Promise.all(
    Array.from({ length: streams }, async (_, stream) => {
      for await (const _token of generate(stream)) {
        if (first === 0) first = performance.now();
        count += 1;
      }
    }),
  );
  return (count - 1) / ((performance.now() - first) / 1000);
}

const llama = await getLlama({ gpu, logLevel: LlamaLogLevel.error });
for (const path of paths) {
  const model = await llama.loadModel({ modelPath: path });
  const chatWrapper = resolveChatWrapper(model);
  const maxStreams = Math.max(...streamCounts);
  for (const flashAttention of flashSettings) {
    const gate = new BatchGate(2);
    const context = await model.createContext({
      contextSize: 1024,
      sequences: maxStreams,
      threads,
      flashAttention,
      ...(gated ? { batching: { itemPrioritizationStrategy: gate.strategy } } : {}),
    } as Parameters<LlamaModel['createContext']>[0]);
    const probe = attachProbe(context);
    const sequences = Array.from({ length: maxStreams }, () => context.getSequence());
    const prompt = model.tokenize(promptText);
    const measures: Record<string, (streams: number) => Promise<number>> = {
      native: async (streams) => {
        // A context of its own: the loop writes cells the sequence objects do not know about.
        const own = await model.createContext({
          contextSize: 1024,
          sequences: streams,
          threads,
          flashAttention,
        } as Parameters<LlamaModel['createContext']>[0]);
        const ownProbe = attachProbe(own);
        await nativeLoop(model, own, streams);
        ownProbe.reset();
        const speed = await nativeLoop(model, own, streams);
        Object.assign(probe, { batches: ownProbe.batches, decodeMs: ownProbe.decodeMs });
        await own.dispose();
        return speed;
      },
      evaluate: async (streams) => {
        await Promise.all(sequences.slice(0, streams).map((sequence) => sequence.clearHistory()));
        return concurrently(streams, async function* (stream) {
          let count = 0;
          const leave = gate.join(sequences[stream] as (typeof sequences)[0]);
          for await (const token of (sequences[stream] as (typeof sequences)[0]).evaluate(prompt, {
            temperature: 0,
          })) {
            yield token;
            if (++count >= tokensPerStream) break;
          }
          leave();
        });
      },
      chat: async (streams) => {
        await Promise.all(sequences.slice(0, streams).map((sequence) => sequence.clearHistory()));
        return concurrently(streams, async function* (stream) {
          const chunks: unknown[] = [];
          let wake: (() => void) | undefined;
          const chat = new LlamaChat({
            contextSequence: sequences[stream] as (typeof sequences)[0],
            chatWrapper,
            autoDisposeSequence: false,
          });
          let done = false;
          const leave = gate.join(sequences[stream] as (typeof sequences)[0]);
          void chat
            .generateResponse(
              [
                { type: 'user', text: promptText },
                { type: 'model', response: [] },
              ],
              {
                maxTokens: tokensPerStream,
                temperature: 0,
                onToken: (tokens) => {
                  for (const token of tokens) chunks.push(token);
                  wake?.();
                },
              },
            )
            .finally(() => {
              leave();
              done = true;
              wake?.();
            });
          while (!done || chunks.length > 0) {
            if (chunks.length > 0) yield chunks.shift();
            else await new Promise<void>((resolve) => (wake = resolve));
          }
          chat.dispose({ disposeSequence: false });
        });
      },
    };
    for (const layer of layers) {
      const measure = measures[layer];
      if (!measure) throw new Error(`SLM_LAYERS: unknown layer ${layer}`);
      for (const streams of streamCounts) {
        await measure(streams);
        const speeds: number[] = [];
        let batches = new Map<number, number>();
        let decodeShare = 0;
        for (let run = 0; run < runs; run += 1) {
          probe.reset();
          const started = performance.now();
          speeds.push(await measure(streams));
          batches = new Map(probe.batches);
          decodeShare = probe.decodeMs / (performance.now() - started);
        }
        const row = {
          model: path.split('/').at(-1),
          flashAttention,
          gated,
          layer,
          streams,
          tokensPerSecond: Math.round(median(speeds) * 10) / 10,
          decodeShareOfLastRun: Math.round(decodeShare * 100) / 100,
          batchSizesOfLastRun: Object.fromEntries([...batches].sort((a, b) => b[1] - a[1]).slice(0, 6)),
        };
        console.log(JSON.stringify(row));
        if (process.env.SLM_LAYERS_OUT)
          appendFileSync(process.env.SLM_LAYERS_OUT, `${JSON.stringify(row)}\n`);
      }
    }
    await context.dispose();
  }
  await model.dispose();
}
