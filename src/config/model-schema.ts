import { z } from 'zod';
import { anthropicModelSchema } from './anthropic-model-schema.js';
import { llamaCppModelSchema } from './llama-cpp-model-schema.js';
import { openAICompatibleModelSchema } from './openai-compatible-model-schema.js';

export const modelSchema = z.discriminatedUnion(
  'provider',
  [llamaCppModelSchema, openAICompatibleModelSchema, anthropicModelSchema],
  { error: 'expected provider to be one of: llama-cpp, openai-compatible, anthropic' },
);

export type ModelConfig = z.infer<typeof modelSchema>;

/** Model names appear in URLs, headers and metrics labels, so keep them plain. */
export const modelNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'model names use letters, digits and . _ : / - (at most 64)');

/** True when the model runs inside the deployment's perimeter, so data sent to it stays there. */
export function isLocalModelConfig(config: ModelConfig): boolean {
  if (config.provider === 'llama-cpp') return true;
  if (config.provider === 'openai-compatible') return config.local;
  return false;
}
