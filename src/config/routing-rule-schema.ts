import { z } from 'zod';

/** A numeric test: every bound given must hold. */
export const numberConditionSchema = z
  .strictObject({
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'give at least one of gt, gte, lt, lte');

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** What a rule looks at. All given conditions must hold (AND); an empty `when` always matches. */
export const ruleConditionSchema = z.strictObject({
  /** Task type label(s) from the classifier. */
  taskType: oneOrMany.optional(),
  /** Probability that the request needs the strong model, 0..1. */
  complexity: numberConditionSchema.optional(),
  /** Input tokens of the whole request. */
  inputTokens: numberConditionSchema.optional(),
  /** `true`: any PII found; `false`: none; a list: any of these kinds. */
  pii: z
    .union([
      z.boolean(),
      z.array(z.enum(['email', 'phone', 'payment-card', 'iban', 'us-ssn', 'es-dni', 'ip-address'])).min(1),
    ])
    .optional(),
  hasTools: z.boolean().optional(),
  responseFormat: z
    .union([
      z.enum(['text', 'json_object', 'json_schema']),
      z.array(z.enum(['text', 'json_object', 'json_schema'])).min(1),
    ])
    .optional(),
  /** `false`: the in-scope model found the request outside the domain it was trained on. */
  inScope: z.boolean().optional(),
  /** Intent label(s) of the in-scope model. */
  intent: oneOrMany.optional(),
  /** The model name the client sent (an alias such as `gpt-4o`). */
  alias: oneOrMany.optional(),
  /** Caller metadata (`metadata` in the body): each key must equal the value or one of the values. */
  metadata: z.record(z.string(), oneOrMany).optional(),
});

export const routingRuleSchema = z.strictObject({
  /** A short name for logs and metrics; default `rule <index>`. */
  name: z.string().min(1).max(64).optional(),
  when: ruleConditionSchema.default({}),
  /** The model that serves a matching request. */
  then: z.string().min(1),
});

export type NumberCondition = z.infer<typeof numberConditionSchema>;
export type RuleCondition = z.infer<typeof ruleConditionSchema>;
export type RoutingRule = z.infer<typeof routingRuleSchema>;
