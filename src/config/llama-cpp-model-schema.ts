import { z } from 'zod';
import { priceSchema } from './price-schema.js';

/** The embedded llama.cpp backend (node-llama-cpp). */
export const llamaCppModelSchema = z.strictObject({
  provider: z.literal('llama-cpp'),
  /** A GGUF path (relative to the working directory) or `hf:<user>/<repo>/<file>.gguf`. */
  model: z.string().min(1),
  /** Expected sha256 of the GGUF; checked after download and on first load of a cached file. */
  sha256: z
    .string()
    .regex(/^[a-fA-F0-9]{64}$/, 'expected 64 hexadecimal characters')
    .transform((value) => value.toLowerCase())
    .optional(),
  /** Where `hf:` models are downloaded; default `$SWITCHYARD_CACHE_DIR` or `~/.cache/switchyard/models`. */
  cacheDir: z.string().optional(),
  /** Context window in tokens for each concurrent sequence. */
  contextSize: z.int().min(64).default(4096),
  /** CPU threads; default: one less than the machine's cores (one is left to the gateway), at least 1. */
  threads: z.int().positive().optional(),
  /** GPU backend; `auto` uses one when node-llama-cpp finds it, `false` forces CPU. */
  gpu: z.union([z.enum(['auto', 'cuda', 'vulkan', 'metal']), z.literal(false)]).default('auto'),
  /**
   * Requests generated at the same time, each on its own sequence of `contextSize` tokens in one
   * shared context: their tokens are decoded together in one batch per step.
   */
  parallel: z.int().min(1).max(256).default(1),
  /** llama.cpp flash attention: `auto` uses it where the backend supports it (as llama.cpp does). */
  flashAttention: z.union([z.literal('auto'), z.boolean()]).default('auto'),
  /**
   * LoRA adapters (GGUF, made for this model, e.g. by llama.cpp's convert_lora_to_gguf.py) applied
   * to every request, each at its `scale`; a path is relative to the working directory.
   */
  lora: z
    .array(z.strictObject({ path: z.string().min(1), scale: z.number().finite().default(1) }))
    .default([]),
  /** Tokens evaluated per batch (prompt processing); default node-llama-cpp's. */
  batchSize: z.int().positive().optional(),
  queue: z
    .strictObject({
      /** Requests allowed to wait for a free sequence; beyond this, 429 with Retry-After. */
      maxWaiting: z.int().nonnegative().default(32),
      /** How long a request may wait; then 503 with Retry-After. */
      timeoutMs: z.int().positive().default(30_000),
    })
    .default({ maxWaiting: 32, timeoutMs: 30_000 }),
  /** Default and ceiling for generated tokens when the client gives no max_tokens. */
  maxOutputTokens: z.int().positive().optional(),
  /** Hard limit on one generation, so a runaway sequence cannot hold a slot forever. */
  timeoutMs: z.int().positive().default(300_000),
  price: priceSchema.optional(),
});

export type LlamaCppModelConfig = z.infer<typeof llamaCppModelSchema>;
