import { z } from 'zod';

/** A metric whose value is `true` or `false` (was the answer correct?). */
const booleanMetricSchema = z.strictObject({
  type: z.literal('boolean'),
});

/** A metric whose value is a number, within `min` and `max` when they are given (a 1-5 rating). */
const floatMetricSchema = z
  .strictObject({
    type: z.literal('float'),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((metric) => metric.min === undefined || metric.max === undefined || metric.min < metric.max, {
    message: 'min must be below max',
    path: ['min'],
  });

/** One declared feedback metric: its name is the key under `feedback.metrics`. */
export const feedbackMetricSchema = z.discriminatedUnion('type', [booleanMetricSchema, floatMetricSchema]);

/**
 * Feedback on answers (`POST /v1/feedback`): the metrics clients may send, each a name (the key)
 * and a value type. A metric that is not declared here is refused, so what is stored and exported
 * stays a known, bounded set.
 */
export const feedbackSchema = z.strictObject({
  /** Declared metrics, e.g. `correct: { type: boolean }`, `rating: { type: float, min: 1, max: 5 }`. */
  metrics: z
    .record(
      z
        .string()
        .regex(
          /^[a-z][a-z0-9_]{0,62}$/,
          'use 1-63 lower-case letters, digits or underscores, starting with a letter',
        ),
      feedbackMetricSchema,
    )
    .default({}),
  /** The longest `comment` accepted, in characters; a longer one is a 400. */
  maxCommentChars: z.int().positive().max(100_000).default(2_000),
  /** The longest `demonstration` (the answer that should have been given) accepted, in characters. */
  maxDemonstrationChars: z.int().positive().max(1_000_000).default(32_000),
});

export type FeedbackConfig = z.infer<typeof feedbackSchema>;
export type FeedbackMetricConfig = z.infer<typeof feedbackMetricSchema>;
