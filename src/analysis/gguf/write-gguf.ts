// Writes GGUF files (version 3): random-weight models of a real shape for benchmarks, and LoRA
// adapters for tests. Only the value and tensor types those need are supported.
import { closeSync, openSync, writeSync } from 'node:fs';

/** A metadata value with its GGUF type. */
export type GgufValue =
  | { type: 'string'; value: string }
  | { type: 'uint32'; value: number }
  | { type: 'float32'; value: number }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'float32[]'; value: readonly number[] }
  | { type: 'int32[]'; value: readonly number[] };

/** ggml tensor types written here: plain floats, and q8_0 (blocks of 32 weights and an f16 scale). */
export type GgufTensorType = 'f32' | 'q8_0';

export interface GgufTensor {
  name: string;
  /** ggml order: the first dimension is the row length (a matrix's input width). */
  dims: readonly number[];
  type: GgufTensorType;
  /** Fills the tensor's bytes (zeroed, `tensorByteLength` long), so a large file is never held whole. */
  fill(data: Buffer): void;
}

const VALUE_TYPE = { uint32: 4, int32: 5, float32: 6, string: 8, array: 9 } as const;
const TENSOR_TYPE: Record<GgufTensorType, number> = { f32: 0, q8_0: 8 };
const ALIGNMENT = 32;

/** The bytes a tensor of these dimensions and type takes. */
export function tensorByteLength(tensor: Pick<GgufTensor, 'dims' | 'type'>): number {
  const elements = tensor.dims.reduce((product, size) => product * size, 1);
  return tensor.type === 'f32' ? elements * 4 : (elements / 32) * 34;
}

class HeaderWriter {
  private readonly chunks: Buffer[] = [];

  private number(size: number, write: (buffer: Buffer) => void): void {
    const buffer = Buffer.alloc(size);
    write(buffer);
    this.chunks.push(buffer);
  }
  u32(value: number): void {
    this.number(4, (buffer) => buffer.writeUInt32LE(value));
  }
  i32(value: number): void {
    this.number(4, (buffer) => buffer.writeInt32LE(value));
  }
  u64(value: number): void {
    this.number(8, (buffer) => buffer.writeBigUInt64LE(BigInt(value)));
  }
  f32(value: number): void {
    this.number(4, (buffer) => buffer.writeFloatLE(value));
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.chunks.push(bytes);
  }
  value(value: GgufValue): void {
    switch (value.type) {
      case 'string':
        this.u32(VALUE_TYPE.string);
        this.string(value.value);
        return;
      case 'uint32':
        this.u32(VALUE_TYPE.uint32);
        this.u32(value.value);
        return;
      case 'float32':
        this.u32(VALUE_TYPE.float32);
        this.f32(value.value);
        return;
      case 'string[]':
        this.array(VALUE_TYPE.string, value.value.length);
        for (const item of value.value) this.string(item);
        return;
      case 'float32[]':
        this.array(VALUE_TYPE.float32, value.value.length);
        for (const item of value.value) this.f32(item);
        return;
      case 'int32[]':
        this.array(VALUE_TYPE.int32, value.value.length);
        for (const item of value.value) this.i32(item);
        return;
    }
  }
  private array(itemType: number, length: number): void {
    this.u32(VALUE_TYPE.array);
    this.u32(itemType);
    this.u64(length);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const aligned = (size: number) => Math.ceil(size / ALIGNMENT) * ALIGNMENT;

/** Writes the file; returns its size in bytes. */
export function writeGguf(
  path: string,
  file: { metadata: ReadonlyArray<readonly [string, GgufValue]>; tensors: readonly GgufTensor[] },
): number {
  const header = new HeaderWriter();
  const metadata = [...file.metadata, ['general.alignment', { type: 'uint32', value: ALIGNMENT }] as const];
  header.u32(0x46554747); // "GGUF", little-endian
  header.u32(3);
  header.u64(file.tensors.length);
  header.u64(metadata.length);
  for (const [key, value] of metadata) {
    header.string(key);
    header.value(value);
  }
  let offset = 0;
  for (const tensor of file.tensors) {
    header.string(tensor.name);
    header.u32(tensor.dims.length);
    for (const size of tensor.dims) header.u64(size);
    header.u32(TENSOR_TYPE[tensor.type]);
    header.u64(offset);
    offset += aligned(tensorByteLength(tensor));
  }
  const headerBytes = header.bytes();
  const descriptor = openSync(path, 'w');
  let written = 0;
  try {
    written += writeSync(descriptor, headerBytes);
    written += writeSync(descriptor, Buffer.alloc(aligned(headerBytes.length) - headerBytes.length));
    for (const tensor of file.tensors) {
      const data = Buffer.alloc(aligned(tensorByteLength(tensor)));
      tensor.fill(data.subarray(0, tensorByteLength(tensor)));
      written += writeSync(descriptor, data);
    }
  } finally {
    closeSync(descriptor);
  }
  return written;
}
