import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getLlama, type Llama, LlamaLogLevel } from 'node-llama-cpp';
import { estimateKvCacheBytes, estimateMemory } from './estimate-memory.js';
import { readGgufShape } from './read-gguf-shape.js';

const stories = fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));
const MiB = 1024 * 1024;

describe('memory estimates for known shapes', () => {
  it('sizes the KV cache by KV heads, so grouped-query attention counts (Llama-3-8B: 1 GiB at 8K, f16)', () => {
    const llama3 = { layers: 32, kvHeads: 8, heads: 32, headDim: 128 };
    assert.equal(estimateKvCacheBytes(llama3, { context: 8192, batch: 1, kvType: 'f16' }), 1024 * MiB);
    // Without GQA (32 KV heads) it would be four times as much.
    assert.equal(
      estimateKvCacheBytes({ ...llama3, kvHeads: 32 }, { context: 8192, batch: 1, kvType: 'f16' }),
      4096 * MiB,
    );
    // q8_0 stores 32 values in 34 bytes.
    assert.equal(estimateKvCacheBytes(llama3, { context: 8192, batch: 1, kvType: 'q8_0' }), 544 * MiB);
  });
});

describe('memory estimate for the real GGUF against what llama.cpp allocates', () => {
  let llama: Llama | undefined;
  after(async () => llama?.dispose());

  it('reads the shape and exact tensor bytes from the header, and matches llama.cpp within 10%', async () => {
    const gguf = await readGgufShape(stories);
    assert.deepEqual(
      { ...gguf.shape, architecture: gguf.architecture },
      {
        layers: 5,
        kvHeads: 4,
        headDim: 8,
        heads: 8,
        embedding: 64,
        feedForward: 172,
        vocab: 512,
        architecture: 'llama',
      },
    );
    assert.equal(gguf.weightsBytes, 1_171_200);

    // llama.cpp logs the size of every buffer it allocates: that is the measured increase. RSS would
    // not do at this scale: the 1.1 MB model sits under allocator and page-granularity noise, and
    // reserved compute buffers are not resident until a full batch touches them.
    const lines: string[] = [];
    llama = await getLlama({
      gpu: false,
      logLevel: LlamaLogLevel.info,
      logger: (_level, message) => lines.push(message),
    });
    const model = await llama.loadModel({ modelPath: stories });
    // One sequence, and `parallel` sequences of one context as the embedded backend creates them.
    for (const [context, sequences] of [
      [2048, 1],
      [256, 1],
      [256, 8],
      [1024, 8],
    ] as const) {
      const from = lines.length;
      const created = await model.createContext({
        contextSize: context,
        sequences,
        threads: 1,
        flashAttention: true,
      });
      // The compute-buffer line arrives once the scheduler has reserved its graph.
      for (
        let wait = 0;
        wait < 50 && !lines.slice(from).some((line) => line.includes('compute buffer size'));
        wait += 1
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const reported = (pattern: RegExp) => {
        const match = lines
          .slice(from)
          .map((line) => pattern.exec(line))
          .find(Boolean);
        assert.ok(match, `no log line matching ${pattern}`);
        return Number(match[1]) * MiB;
      };
      const kv = reported(/CPU KV buffer size =\s+([\d.]+) MiB/);
      const compute = reported(/CPU compute buffer size =\s+([\d.]+) MiB/);
      const estimate = estimateMemory(gguf.shape, gguf.weightsBytes, {
        context,
        batch: sequences,
        kvType: 'f16',
      });
      // Sizes are logged to 0.01 MiB.
      assert.ok(Math.abs(estimate.kvCacheBytes - kv) <= 0.01 * MiB, `KV ${estimate.kvCacheBytes} vs ${kv}`);
      assert.ok(
        Math.abs(estimate.computeBytes - compute) <= 0.1 * compute,
        `compute ${estimate.computeBytes} vs ${compute}`,
      );
      const measured = gguf.weightsBytes + kv + compute;
      assert.ok(
        Math.abs(estimate.totalBytes - measured) <= 0.1 * measured,
        `total ${estimate.totalBytes} vs ${measured}`,
      );
      await created.dispose();
    }
    await model.dispose();
  });
});
