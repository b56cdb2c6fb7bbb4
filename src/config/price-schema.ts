import { z } from 'zod';

/** USD per million tokens. Cached and reasoning rates default to the input and output rates. */
export const priceSchema = z.strictObject({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
  /** Rate for input tokens read from the upstream's prompt cache. */
  cachedInputPerMillion: z.number().nonnegative().optional(),
  /** Rate for input tokens written to the prompt cache (Anthropic charges a premium). */
  cacheWriteInputPerMillion: z.number().nonnegative().optional(),
  /** Rate for hidden reasoning tokens, when the upstream bills them apart from output. */
  reasoningPerMillion: z.number().nonnegative().optional(),
});

export type PriceConfig = z.infer<typeof priceSchema>;
