import type { ModelShape } from './estimate-memory.js';
import { GGML_TYPES } from './ggml-types.js';

export interface GgufShape {
  architecture: string;
  shape: ModelShape;
  /** Bytes of all tensors, from each tensor's own type and dimensions. */
  weightsBytes: number;
  parameters: number;
  trainedContext: number;
  /** Tensor count by GGML type name (the real mix a K-quant preset produced). */
  tensorTypes: Record<string, number>;
}

/** Reads a GGUF's header (not its tensors): the architecture and the exact size of every tensor. */
export async function readGgufShape(path: string): Promise<GgufShape> {
  // Imported here, not at the top: node-llama-cpp takes noticeable memory, and the gateway process
  // (which loads this module through the CLI) must not pay it unless a command reads a GGUF.
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(path, { readTensorInfo: true });
  const architecture = String(info.metadata.general?.architecture ?? 'unknown');
  const meta = info.architectureMetadata as Record<string, unknown> & {
    attention?: { head_count?: number; head_count_kv?: number; key_length?: number };
  };
  const heads = Number(meta.attention?.head_count ?? 0);
  const kvHeads = Number(meta.attention?.head_count_kv ?? heads);
  const embedding = Number(meta.embedding_length ?? 0);
  const headDim = Number(meta.attention?.key_length ?? (heads > 0 ? embedding / heads : 0));
  let weightsBytes = 0;
  let parameters = 0;
  const tensorTypes: Record<string, number> = {};
  for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? []) {
    const elements = tensor.dimensions.reduce((product: number, size) => product * Number(size), 1);
    const type = GGML_TYPES[tensor.ggmlType];
    if (!type)
      throw new Error(
        `tensor ${tensor.name} has GGML type ${tensor.ggmlType}, which this estimator does not know`,
      );
    weightsBytes += Math.ceil(elements / type.block) * type.bytes;
    parameters += elements;
    tensorTypes[type.name] = (tensorTypes[type.name] ?? 0) + 1;
  }
  const tokens = (info.metadata.tokenizer as unknown as { ggml?: { tokens?: readonly string[] } } | undefined)
    ?.ggml?.tokens;
  return {
    architecture,
    shape: {
      layers: Number(meta.block_count ?? 0),
      kvHeads,
      headDim,
      heads,
      embedding,
      feedForward: Number(meta.feed_forward_length ?? embedding * 4),
      vocab: Array.isArray(tokens) ? tokens.length : Number(meta.vocab_size ?? 32_000),
    },
    weightsBytes,
    parameters,
    trainedContext: Number(meta.context_length ?? 0),
    tensorTypes,
  };
}
