import { availableParallelism } from 'node:os';
import { getLlama, type Llama, LlamaLogLevel } from 'node-llama-cpp';
import type { LlamaCppModelConfig } from '../../config/index.js';

/** Threads for generation: the configured count capped at the machine's cores, else cores - 1. */
export function resolveThreadCount(configured: number | undefined): number {
  const cores = availableParallelism();
  if (configured !== undefined) return Math.min(configured, cores);
  return Math.max(1, cores - 1);
}

const llamaByGpu = new Map<string, Promise<Llama>>();

/** One native llama.cpp runtime per GPU setting, shared by every embedded model. */
export function getSharedLlama(gpu: LlamaCppModelConfig['gpu']): Promise<Llama> {
  const key = String(gpu);
  let llama = llamaByGpu.get(key);
  if (!llama) {
    llama = getLlama({ gpu, logLevel: LlamaLogLevel.error, progressLogs: false });
    llamaByGpu.set(key, llama);
  }
  return llama;
}
