import { z } from 'zod';

/**
 * What a model costs. Either per million tokens (cached and reasoning rates default to the input and
 * output rates), or, for a self-hosted model, an amortised `hourly` cost that is spread over the
 * requests by the time each kept the model busy.
 */
export const priceSchema = z
  .strictObject({
    /** USD per million input tokens. */
    inputPerMillion: z.number().nonnegative().optional(),
    /** USD per million output tokens. */
    outputPerMillion: z.number().nonnegative().optional(),
    /** Rate for input tokens read from the upstream's prompt cache. */
    cachedInputPerMillion: z.number().nonnegative().optional(),
    /** Rate for input tokens written to the prompt cache (Anthropic charges a premium). */
    cacheWriteInputPerMillion: z.number().nonnegative().optional(),
    /** Rate for hidden reasoning tokens, when the upstream bills them apart from output. */
    reasoningPerMillion: z.number().nonnegative().optional(),
    /** USD per hour of the machine that runs the model (hardware, power, hosting), amortised. */
    hourly: z.number().nonnegative().optional(),
  })
  .superRefine((price, context) => {
    const perToken = Object.keys(price).some((key) => key !== 'hourly');
    if (price.hourly !== undefined && perToken) {
      context.addIssue({ code: 'custom', message: 'give either hourly or per-million rates, not both' });
    } else if (
      price.hourly === undefined &&
      (price.inputPerMillion === undefined || price.outputPerMillion === undefined)
    ) {
      context.addIssue({
        code: 'custom',
        message: 'give inputPerMillion and outputPerMillion (or hourly for a self-hosted model)',
      });
    }
  });

export type PriceConfig = z.infer<typeof priceSchema>;

/** A per-token price with both base rates present (what cost arithmetic needs). */
export type TokenPrice = PriceConfig & { inputPerMillion: number; outputPerMillion: number };
