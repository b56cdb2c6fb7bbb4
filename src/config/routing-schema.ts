import { z } from 'zod';
import { modelNameSchema } from './model-schema.js';
import { routingRuleSchema } from './routing-rule-schema.js';

export const routingSchema = z.strictObject({
  /** The model that serves `auto` when no rule matches. */
  default: z.string().min(1),
  /**
   * Extra model names clients may send, mapped to `auto` or a configured model, so existing code
   * that asks for `gpt-4o` is served without a change.
   */
  aliases: z.record(modelNameSchema, z.string().min(1)).default({}),
  /** Ordered rules for `auto` requests; the first match wins, else `default`. */
  rules: z.array(routingRuleSchema).default([]),
});

export type RoutingConfig = z.infer<typeof routingSchema>;
