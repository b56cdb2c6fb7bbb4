import { z } from 'zod';
import { escalationSchema } from './escalation-schema.js';
import { rolloutSchema, shadowSchema } from './migration-loop-schema.js';
import { modelNameSchema } from './model-schema.js';
import { circuitBreakerSchema, retriesSchema } from './resilience-schema.js';
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
  /** Check the small model's answers and re-run failures on a larger model. */
  escalation: escalationSchema.optional(),
  /** Per target, the models tried in order when it fails before the first byte reaches the client. */
  fallbacks: z.record(z.string(), z.array(z.string().min(1))).default({}),
  /**
   * Data residency: `pii: <model>` keeps every request in which PII is found on that (local) model,
   * whatever the rules, a forced route, a fallback or an escalation would otherwise pick.
   */
  residency: z.strictObject({ pii: z.string().min(1).optional() }).default({}),
  /**
   * A local model that serves a keyed request whose budget is spent, instead of refusing it with
   * 429 `budget_exceeded` (the headers and the log say so).
   */
  overBudget: z.string().min(1).optional(),
  /** Shadow traffic: the same requests run on a second model after the answer, to compare the two. */
  shadow: z.array(shadowSchema).default([]),
  /** Gradual rollouts: a share of one model's routed requests moved to another. */
  rollout: z.array(rolloutSchema).default([]),
  /** The model an all-LLM deployment would have used; its price gives each request's savings. */
  baseline: z.string().min(1).optional(),
  /**
   * The router's classifiers: `builtin` (the shipped models), `heuristic` (task type and
   * complexity only), a model file path, or `off` (in-scope only).
   */
  classifier: z
    .strictObject({
      taskType: z.string().min(1).default('builtin'),
      complexity: z.string().min(1).default('builtin'),
      inScope: z.string().min(1).default('builtin'),
    })
    .default({ taskType: 'builtin', complexity: 'builtin', inScope: 'builtin' }),
  retries: retriesSchema.default(retriesSchema.parse({})),
  circuitBreaker: circuitBreakerSchema.default(circuitBreakerSchema.parse({})),
});

export type RoutingConfig = z.infer<typeof routingSchema>;
