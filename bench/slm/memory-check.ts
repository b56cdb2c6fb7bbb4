// The `memory` command's estimate for `parallel` sequences against what llama.cpp reports when
// node-llama-cpp creates that context (its log of every buffer it allocates): KV cache, compute
// buffers (all devices), and the whole. Run: SLM_GPU=cuda SLM_STREAMS=1,8,32 node --import tsx
// bench/slm/memory-check.ts A.gguf [B.gguf]   (prints one JSON row per model and sequence count).
import { getLlama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';
import { estimateMemory } from '../../src/analysis/memory/estimate-memory.js';
import { readGgufShape } from '../../src/analysis/memory/read-gguf-shape.js';

const paths = process.argv.slice(2);
const gpu = (process.env.SLM_GPU ?? 'off') === 'off' ? false : (process.env.SLM_GPU as 'cuda');
const streamCounts = (process.env.SLM_STREAMS ?? '1,8').split(',').map(Number);
const contextSize = Number(process.env.SLM_CONTEXT ?? 1024);
const MiB = 1024 * 1024;

const lines: string[] = [];
const llama = await getLlama({
  gpu,
  logLevel: LlamaLogLevel.info,
  logger: (_level, line) => lines.push(line),
});

/** Sum of the sizes llama.cpp logged for buffers whose line matches `kind`, over all devices. */
function reported(from: number, kind: RegExp): number {
  return lines
    .slice(from)
    .filter((line) => kind.test(line))
    .reduce((sum, line) => sum + Number(/=\s+([\d.]+) MiB/.exec(line)?.[1] ?? 0) * MiB, 0);
}

const rows: Record<string, unknown>[] = [];
for (const path of paths) {
  const gguf = await readGgufShape(path);
  const model: LlamaModel = await llama.loadModel({ modelPath: path });
  for (const sequences of streamCounts) {
    const from = lines.length;
    const context = await model.createContext({ contextSize, sequences, threads: 1, flashAttention: true });
    for (
      let wait = 0;
      wait < 50 && !lines.slice(from).some((line) => line.includes('compute buffer size'));
      wait += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const kv = reported(from, /KV buffer size/);
    const compute = reported(from, /compute buffer size/);
    const estimate = estimateMemory(gguf.shape, gguf.weightsBytes, {
      context: contextSize,
      batch: sequences,
      kvType: 'f16',
      flashAttention: true,
    });
    const measured = gguf.weightsBytes + kv + compute;
    const row = {
      model: path.split('/').at(-1),
      backend: llama.gpu || 'cpu',
      contextPerSequence: contextSize,
      sequences,
      kvMiB: { estimate: +(estimate.kvCacheBytes / MiB).toFixed(2), llamaCpp: +(kv / MiB).toFixed(2) },
      computeMiB: {
        estimate: +(estimate.computeBytes / MiB).toFixed(2),
        llamaCpp: +(compute / MiB).toFixed(2),
      },
      totalMiB: { estimate: +(estimate.totalBytes / MiB).toFixed(1), llamaCpp: +(measured / MiB).toFixed(1) },
      totalRatio: +(estimate.totalBytes / measured).toFixed(3),
      buffers: lines
        .slice(from)
        .filter((line) => /buffer size/.test(line))
        .map((line) => line.trim()),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    await context.dispose();
  }
  await model.dispose();
}
