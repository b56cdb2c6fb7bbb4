import { z } from 'zod';
import { priceSchema } from './price-schema.js';
import { timeoutsSchema } from './timeouts-schema.js';

const defaultTimeouts = timeoutsSchema.parse({});

/** Anthropic's Messages API. */
export const anthropicModelSchema = z.strictObject({
  provider: z.literal('anthropic'),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.anthropic.com'),
  model: z.string().min(1),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
    .default('ANTHROPIC_API_KEY'),
  /** The `anthropic-version` header. */
  version: z.string().default('2023-06-01'),
  /** Anthropic requires max_tokens; this is used when the client sends none. */
  defaultMaxTokens: z.int().positive().default(4096),
  headers: z.record(z.string(), z.string()).optional(),
  /** Connection pool size towards this upstream. */
  maxConnections: z.int().positive().default(256),
  /** Offer HTTP/2 to an https upstream (used when it accepts by ALPN); plain http stays HTTP/1.1. */
  http2: z.boolean().default(false),
  timeouts: timeoutsSchema.default(defaultTimeouts),
  price: priceSchema.optional(),
});

export type AnthropicModelConfig = z.infer<typeof anthropicModelSchema>;
