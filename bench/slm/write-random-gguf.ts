// Writes a llama-architecture GGUF with random weights and a real model's shape, for throughput
// measurements: speed does not depend on weight values, and nothing has to be downloaded.
// The answers are noise by construction. Matrices are q8_0, norms f32, vocabulary synthetic.

import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

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

const GGUF_TYPE = { uint32: 4, int32: 5, float32: 6, string: 8, array: 9 } as const;
const GGML_F32 = 0;
const GGML_Q8_0 = 8;
const ALIGNMENT = 32;

class Writer {
  private readonly chunks: Buffer[] = [];
  size = 0;
  push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.size += buffer.length;
  }
  u32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    this.push(buffer);
  }
  i32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    this.push(buffer);
  }
  u64(value: number): void {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    this.push(buffer);
  }
  f32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value);
    this.push(buffer);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

interface Tensor {
  name: string;
  dims: number[];
  type: typeof GGML_F32 | typeof GGML_Q8_0;
}

function tensorBytes(tensor: Tensor): number {
  const elements = tensor.dims.reduce((product, size) => product * size, 1);
  return tensor.type === GGML_F32 ? elements * 4 : (elements / 32) * 34;
}

/** Writes the file; returns its size in bytes. */
export function writeRandomGguf(path: string, shape: RandomModelShape): number {
  const headDim = shape.embedding / shape.heads;
  const kvWidth = headDim * shape.kvHeads;
  const tensors: Tensor[] = [
    { name: 'token_embd.weight', dims: [shape.embedding, shape.vocab], type: GGML_Q8_0 },
    { name: 'output_norm.weight', dims: [shape.embedding], type: GGML_F32 },
    { name: 'output.weight', dims: [shape.embedding, shape.vocab], type: GGML_Q8_0 },
  ];
  for (let layer = 0; layer < shape.layers; layer += 1) {
    const prefix = `blk.${layer}`;
    tensors.push(
      { name: `${prefix}.attn_norm.weight`, dims: [shape.embedding], type: GGML_F32 },
      { name: `${prefix}.attn_q.weight`, dims: [shape.embedding, shape.embedding], type: GGML_Q8_0 },
      { name: `${prefix}.attn_k.weight`, dims: [shape.embedding, kvWidth], type: GGML_Q8_0 },
      { name: `${prefix}.attn_v.weight`, dims: [shape.embedding, kvWidth], type: GGML_Q8_0 },
      { name: `${prefix}.attn_output.weight`, dims: [shape.embedding, shape.embedding], type: GGML_Q8_0 },
      { name: `${prefix}.ffn_norm.weight`, dims: [shape.embedding], type: GGML_F32 },
      { name: `${prefix}.ffn_gate.weight`, dims: [shape.embedding, shape.feedForward], type: GGML_Q8_0 },
      { name: `${prefix}.ffn_up.weight`, dims: [shape.embedding, shape.feedForward], type: GGML_Q8_0 },
      { name: `${prefix}.ffn_down.weight`, dims: [shape.feedForward, shape.embedding], type: GGML_Q8_0 },
    );
  }
  const header = new Writer();
  header.push(Buffer.from('GGUF'));
  header.u32(3);
  header.u64(tensors.length);
  const metadata: [string, () => void][] = [];
  const kv = (key: string, write: () => void) => metadata.push([key, write]);
  kv('general.architecture', () => {
    header.u32(GGUF_TYPE.string);
    header.string('llama');
  });
  kv('general.name', () => {
    header.u32(GGUF_TYPE.string);
    header.string('random-weights');
  });
  kv('general.alignment', () => {
    header.u32(GGUF_TYPE.uint32);
    header.u32(ALIGNMENT);
  });
  const u32 = (key: string, value: number) =>
    kv(key, () => {
      header.u32(GGUF_TYPE.uint32);
      header.u32(value);
    });
  u32('llama.context_length', shape.context);
  u32('llama.embedding_length', shape.embedding);
  u32('llama.block_count', shape.layers);
  u32('llama.feed_forward_length', shape.feedForward);
  u32('llama.attention.head_count', shape.heads);
  u32('llama.attention.head_count_kv', shape.kvHeads);
  u32('llama.rope.dimension_count', headDim);
  kv('llama.attention.layer_norm_rms_epsilon', () => {
    header.u32(GGUF_TYPE.float32);
    header.f32(1e-6);
  });
  kv('tokenizer.ggml.model', () => {
    header.u32(GGUF_TYPE.string);
    header.string('llama');
  });
  kv('tokenizer.ggml.tokens', () => {
    header.u32(GGUF_TYPE.array);
    header.u32(GGUF_TYPE.string);
    header.u64(shape.vocab);
    for (let token = 0; token < shape.vocab; token += 1) {
      header.string(
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
    }
  });
  kv('tokenizer.ggml.scores', () => {
    header.u32(GGUF_TYPE.array);
    header.u32(GGUF_TYPE.float32);
    header.u64(shape.vocab);
    for (let token = 0; token < shape.vocab; token += 1) header.f32(-token);
  });
  kv('tokenizer.ggml.token_type', () => {
    header.u32(GGUF_TYPE.array);
    header.u32(GGUF_TYPE.int32);
    header.u64(shape.vocab);
    for (let token = 0; token < shape.vocab; token += 1) header.i32(token < 3 ? 3 : token < 259 ? 6 : 1);
  });
  u32('tokenizer.ggml.bos_token_id', 1);
  u32('tokenizer.ggml.eos_token_id', 2);
  u32('tokenizer.ggml.unknown_token_id', 0);
  header.u64(metadata.length);
  for (const [key, write] of metadata) {
    header.string(key);
    write();
  }
  let offset = 0;
  for (const tensor of tensors) {
    header.string(tensor.name);
    header.u32(tensor.dims.length);
    for (const size of tensor.dims) header.u64(size);
    header.u32(tensor.type);
    header.u64(offset);
    offset += Math.ceil(tensorBytes(tensor) / ALIGNMENT) * ALIGNMENT;
  }
  const headerBytes = header.bytes();
  const padding = (ALIGNMENT - (headerBytes.length % ALIGNMENT)) % ALIGNMENT;
  const file = openSync(path, 'w');
  let written = 0;
  try {
    written += writeSync(file, headerBytes);
    written += writeSync(file, Buffer.alloc(padding));
    for (const tensor of tensors) {
      const size = tensorBytes(tensor);
      const data = Buffer.alloc(Math.ceil(size / ALIGNMENT) * ALIGNMENT);
      if (tensor.type === GGML_F32) {
        for (let index = 0; index < size / 4; index += 1) data.writeFloatLE(1, index * 4);
      } else {
        randomFillSync(data, 0, size);
        // Each 34-byte q8_0 block starts with an f16 scale: make it small and finite (0x1c00 ≈ 0.0039).
        for (let block = 0; block < size / 34; block += 1) data.writeUInt16LE(0x1c00, block * 34);
      }
      written += writeSync(file, data);
    }
  } finally {
    closeSync(file);
  }
  return written;
}
