// Writes a llama-architecture GGUF with random weights and a real model's shape, for throughput
// measurements: speed does not depend on weight values, and nothing has to be downloaded.
// The answers are noise by construction. Matrices are q8_0, norms f32, vocabulary synthetic.

import { randomFillSync } from 'node:crypto';
import { type GgufTensor, writeGguf } from '../../src/analysis/gguf/write-gguf.js';

export interface RandomModelShape {
  layers: number;
  embedding: number;
  heads: number;
  kvHeads: number;
  feedForward: number;
  vocab: number;
  context: number;
}

/** A Qwen2.5-0.5B-sized llama: 24 layers, 896 wide, 14 heads (2 KV), 4,864 FFN; 32k vocabulary. */
export const HALF_BILLION: RandomModelShape = {
  layers: 24,
  embedding: 896,
  heads: 14,
  kvHeads: 2,
  feedForward: 4864,
  vocab: 32_000,
  context: 4096,
};

/** A Qwen2.5-1.5B-sized llama: 28 layers, 1,536 wide, 12 heads (2 KV), 8,960 FFN; 32k vocabulary. */
export const ONE_AND_A_HALF_BILLION: RandomModelShape = {
  layers: 28,
  embedding: 1536,
  heads: 12,
  kvHeads: 2,
  feedForward: 8960,
  vocab: 32_000,
  context: 4096,
};

/** Writes the file; returns its size in bytes. */
export function writeRandomGguf(path: string, shape: RandomModelShape): number {
  const headDim = shape.embedding / shape.heads;
  const kvWidth = headDim * shape.kvHeads;
  // Norms are ones; matrices random q8_0 whose blocks each start with a small, finite f16 scale
  // (0x1c00, about 0.0039).
  const norm = (name: string): GgufTensor => ({
    name,
    dims: [shape.embedding],
    type: 'f32',
    fill: (data) => {
      for (let index = 0; index < data.length / 4; index += 1) data.writeFloatLE(1, index * 4);
    },
  });
  const matrix = (name: string, inputs: number, outputs: number): GgufTensor => ({
    name,
    dims: [inputs, outputs],
    type: 'q8_0',
    fill: (data) => {
      randomFillSync(data);
      for (let block = 0; block < data.length / 34; block += 1) data.writeUInt16LE(0x1c00, block * 34);
    },
  });
  const tensors: GgufTensor[] = [
    matrix('token_embd.weight', shape.embedding, shape.vocab),
    norm('output_norm.weight'),
    matrix('output.weight', shape.embedding, shape.vocab),
  ];
  for (let layer = 0; layer < shape.layers; layer += 1) {
    const prefix = `blk.${layer}`;
    tensors.push(
      norm(`${prefix}.attn_norm.weight`),
      matrix(`${prefix}.attn_q.weight`, shape.embedding, shape.embedding),
      matrix(`${prefix}.attn_k.weight`, shape.embedding, kvWidth),
      matrix(`${prefix}.attn_v.weight`, shape.embedding, kvWidth),
      matrix(`${prefix}.attn_output.weight`, shape.embedding, shape.embedding),
      norm(`${prefix}.ffn_norm.weight`),
      matrix(`${prefix}.ffn_gate.weight`, shape.embedding, shape.feedForward),
      matrix(`${prefix}.ffn_up.weight`, shape.embedding, shape.feedForward),
      matrix(`${prefix}.ffn_down.weight`, shape.feedForward, shape.embedding),
    );
  }
  const tokens = Array.from({ length: shape.vocab }, (_, token) =>
    token === 0
      ? '<unk>'
      : token === 1
        ? '<s>'
        : token === 2
          ? '</s>'
          : token < 259
            ? `<0x${(token - 3).toString(16).toUpperCase().padStart(2, '0')}>`
            : `▁t${token}`,
  );
  const u32 = (value: number) => ({ type: 'uint32', value }) as const;
  return writeGguf(path, {
    metadata: [
      ['general.architecture', { type: 'string', value: 'llama' }],
      ['general.name', { type: 'string', value: 'random-weights' }],
      ['llama.context_length', u32(shape.context)],
      ['llama.embedding_length', u32(shape.embedding)],
      ['llama.block_count', u32(shape.layers)],
      ['llama.feed_forward_length', u32(shape.feedForward)],
      ['llama.attention.head_count', u32(shape.heads)],
      ['llama.attention.head_count_kv', u32(shape.kvHeads)],
      ['llama.rope.dimension_count', u32(headDim)],
      ['llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-6 }],
      ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
      ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
      ['tokenizer.ggml.scores', { type: 'float32[]', value: tokens.map((_, token) => -token) }],
      [
        'tokenizer.ggml.token_type',
        { type: 'int32[]', value: tokens.map((_, token) => (token < 3 ? 3 : token < 259 ? 6 : 1)) },
      ],
      ['tokenizer.ggml.bos_token_id', u32(1)],
      ['tokenizer.ggml.eos_token_id', u32(2)],
      ['tokenizer.ggml.unknown_token_id', u32(0)],
    ],
    tensors,
  });
}
