import { z } from 'zod';

/**
 * The body of `POST /v1/feedback`, snake_case as on OpenAI's wire. The value's type and range are
 * checked against the metric's declaration afterwards, so the error can name what it takes.
 */
export const feedbackInputSchema = z.strictObject({
  request_id: z.string().min(1).max(200),
  metric: z.string().min(1).max(200),
  value: z.union([z.boolean(), z.number()], { error: 'expected true, false or a number' }),
  comment: z.string().optional(),
  /** The answer that should have been given: kept for fine-tuning data (`export finetune`). */
  demonstration: z.string().optional(),
});

export type FeedbackInput = z.infer<typeof feedbackInputSchema>;
