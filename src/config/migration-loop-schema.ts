import { z } from 'zod';
import { ruleConditionSchema } from './routing-rule-schema.js';

/**
 * Shadow traffic: for a sampled request answered by `from`, the same request also runs on `to`
 * after the answer, off the request path, and the two answers are scored against each other.
 */
export const shadowSchema = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1),
  /** Share of `from`'s answers that are shadowed, 0..1. */
  sample: z.number().min(0).max(1),
  /** Shadow calls running at once, at most; a sample that finds them all busy is dropped (and counted). */
  maxConcurrent: z.int().positive().max(1_000).default(4),
  /** A model that judges whether the two answers agree (its prompt is in docs/migration-loop.md). */
  judge: z.string().min(1).optional(),
});

/** When the rollout controller raises or rolls back a share, and by how much. */
export const rolloutControllerSchema = z.strictObject({
  /** How much a raise adds to the share. */
  step: z.number().gt(0).max(1).default(0.1),
  /** How often the evidence is judged: `30m`, `1h`, `1d`. */
  every: z
    .string()
    .regex(/^[1-9][0-9]{0,5}(s|m|h|d)$/, 'expected a duration like 30m, 1h or 1d')
    .default('1h'),
  /**
   * Shadow pairs needed since the last change before agreement is judged, and moved requests
   * before `rollbackIf.maxEscalationRate` is.
   */
  minSamples: z.int().positive().default(200),
  raiseIf: z
    .strictObject({
      /** Shadow agreement between `to` and `from` at least this. */
      agreement: z.number().min(0).max(1).default(0.9),
      /** Share of rolled requests whose answer escalated at most this. */
      maxEscalationRate: z.number().min(0).max(1).default(0.1),
      /**
       * Optionally, feedback on `to`'s answers: the mean of a declared metric (the share of true
       * for a boolean one) at least `atLeast`, over at least `minCount` ratings.
       */
      feedback: z
        .strictObject({
          metric: z.string().min(1),
          atLeast: z.number().finite(),
          minCount: z.int().positive().default(20),
        })
        .optional(),
    })
    .default({ agreement: 0.9, maxEscalationRate: 0.1 }),
  rollbackIf: z
    .strictObject({
      /** Shadow agreement below this drops the share to the last good one. */
      agreement: z.number().min(0).max(1).default(0.8),
      /**
       * Optionally, so does a share of moved requests whose answer escalated above this, over at
       * least `minSamples` moved requests.
       */
      maxEscalationRate: z.number().min(0).max(1).optional(),
      /** Optionally, so does a declared metric's mean on `to`'s answers below `below`. */
      feedback: z
        .strictObject({
          metric: z.string().min(1),
          below: z.number().finite(),
          minCount: z.int().positive().default(20),
        })
        .optional(),
    })
    .default({ agreement: 0.8 }),
  /** The highest share the controller raises to. */
  maxShare: z.number().min(0).max(1).default(1),
});

/**
 * A gradual rollout: of the routed requests that would go to `from` (and match `when`), `share` go
 * to `to` instead, the same ones every time for a given user, tenant or request id.
 */
export const rolloutSchema = z.strictObject({
  /** Names the rollout in the CLI, the log and metrics (default `<from>-to-<to>`). */
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'use letters, digits, dots, dashes or underscores')
    .optional(),
  from: z.string().min(1),
  to: z.string().min(1),
  /** The starting share, 0..1; the one in the database wins once set (CLI or controller). */
  share: z.number().min(0).max(1),
  /** Who keeps the same model while the share holds: a `user`, a `tenant`, or each `request`. */
  sticky: z.enum(['user', 'tenant', 'request']).default('user'),
  when: ruleConditionSchema.optional(),
  auto: rolloutControllerSchema.optional(),
});

export type ShadowConfig = z.infer<typeof shadowSchema>;
export type RolloutConfig = z.infer<typeof rolloutSchema>;
export type RolloutControllerConfig = z.infer<typeof rolloutControllerSchema>;

/** A rollout's id: its own, or `<from>-to-<to>`. */
export function readRolloutId(rollout: Pick<RolloutConfig, 'id' | 'from' | 'to'>): string {
  return rollout.id ?? `${rollout.from}-to-${rollout.to}`;
}
