import { z } from 'zod';
import { priceSchema } from './price-schema.js';
import { timeoutsSchema } from './timeouts-schema.js';

const defaultTimeouts = timeoutsSchema.parse({});

/** Any server speaking OpenAI's chat completions API: OpenAI, vLLM, llama.cpp server, Ollama. */
export const openAICompatibleModelSchema = z.strictObject({
  provider: z.literal('openai-compatible'),
  /** Base URL up to and including the version segment, e.g. `https://api.openai.com/v1`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** The upstream's model id. */
  model: z.string().min(1),
  /** Name of the environment variable that holds the API key (never the key itself). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
    .optional(),
  /** Extra request headers (values are masked by `config check`). */
  headers: z.record(z.string(), z.string()).optional(),
  /** True when this server runs inside your perimeter (a self-hosted vLLM, say). */
  local: z.boolean().default(false),
  /** Which field carries the output limit: older servers know only `max_tokens`. */
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
  /** Connection pool size towards this upstream. */
  maxConnections: z.int().positive().default(256),
  /** Offer HTTP/2 to an https upstream (used when it accepts by ALPN); plain http stays HTTP/1.1. */
  http2: z.boolean().default(false),
  timeouts: timeoutsSchema.default(defaultTimeouts),
  price: priceSchema.optional(),
});

export type OpenAICompatibleModelConfig = z.infer<typeof openAICompatibleModelSchema>;
