import { KV_BYTES_PER_ELEMENT } from './ggml-types.js';

/** The shape of a transformer, as far as memory is concerned. */
export interface ModelShape {
  layers: number;
  /** Key/value heads (fewer than attention heads with grouped-query attention). */
  kvHeads: number;
  headDim: number;
  /** Attention heads; default kvHeads. */
  heads?: number;
  embedding?: number;
  feedForward?: number;
  vocab?: number;
}

export interface MemoryEstimate {
  weightsBytes: number;
  kvCacheBytes: number;
  computeBytes: number;
  totalBytes: number;
}

/** llama.cpp processes prompts in micro-batches of at most this many tokens. */
const MICRO_BATCH = 512;

/**
 * KV cache: 2 (keys and values) × layers × KV heads × head dim × context × sequences × bytes per
 * element. KV heads, not attention heads: grouped-query attention shares each KV head.
 */
export function estimateKvCacheBytes(
  shape: ModelShape,
  options: { context: number; batch: number; kvType: string },
): number {
  const bytes = KV_BYTES_PER_ELEMENT[options.kvType];
  if (bytes === undefined) throw new Error(`unknown KV cache type "${options.kvType}"`);
  return Math.ceil(
    2 * shape.layers * shape.kvHeads * shape.headDim * options.context * options.batch * bytes,
  );
}

/**
 * Compute buffers llama.cpp reserves on the CPU for one micro-batch of `tokens` (at most 512):
 * the logits (tokens × vocab, f32), the attention mask (tokens × context, f16 with flash
 * attention, f32 without), about four embedding-sized f32 activations per token, and, without
 * flash attention, the attention scores (tokens × context × heads, f32), which then dominate.
 * `context` is per sequence: with `batch` sequences llama.cpp keeps one KV stream per sequence
 * (its default, and node-llama-cpp's), and a token attends only to its own sequence's cells.
 * Checked against the sizes llama.cpp itself reports (test: within 10% for stories260K, with one
 * sequence and with eight; bench/slm/RESULTS.md for the CUDA buffers of the 0.5B and 1.5B shapes).
 */
export function estimateComputeBytes(
  shape: ModelShape,
  options: { context: number; batch: number; flashAttention?: boolean },
): number {
  const heads = shape.heads ?? shape.kvHeads;
  const embedding = shape.embedding ?? heads * shape.headDim;
  const vocab = shape.vocab ?? 32_000;
  const tokens = Math.min(MICRO_BATCH, options.context * options.batch);
  const flash = options.flashAttention ?? true;
  const logits = 4 * tokens * vocab;
  const mask = (flash ? 2 : 4) * tokens * options.context;
  const activations = 4 * tokens * 4 * embedding;
  const scores = flash ? 0 : 4 * tokens * options.context * heads;
  return logits + mask + activations + scores;
}

/** Weights + KV cache + compute buffers. */
export function estimateMemory(
  shape: ModelShape,
  weightsBytes: number,
  options: { context: number; batch: number; kvType: string; flashAttention?: boolean },
): MemoryEstimate {
  const kvCacheBytes = estimateKvCacheBytes(shape, options);
  const computeBytes = estimateComputeBytes(shape, options);
  return { weightsBytes, kvCacheBytes, computeBytes, totalBytes: weightsBytes + kvCacheBytes + computeBytes };
}
