import type { ContentLogging, FeedbackConfig } from '../../config/index.js';
import { InvalidRequestError, PermissionDeniedError, ResourceNotFoundError } from '../../errors/index.js';
import { redactPii } from '../../routing/index.js';
import type { FeedbackRecord, FeedbackStore, RequestLog } from '../../storage/index.js';
import type { GatewayMetrics } from '../../telemetry/index.js';
import type { Access } from '../access/access-control.js';
import { type FeedbackInput, feedbackInputSchema } from './feedback-input-schema.js';

/** What `POST /v1/feedback` answers with. */
export interface FeedbackReceipt {
  object: 'feedback';
  request_id: string;
  metric: string;
  value: boolean | number;
  /** True when an earlier value of this metric for this request was replaced. */
  replaced: boolean;
}

function refuse(param: string, message: string): InvalidRequestError {
  return new InvalidRequestError({ message: `${param}: ${message}`, code: 'invalid_value', param });
}

function parseBody(body: unknown): FeedbackInput {
  const result = feedbackInputSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') throw refuse(issue.keys[0] as string, 'unknown field');
  const param = issue?.path.join('.');
  if (!param) {
    throw new InvalidRequestError({
      message: 'The body must be a JSON object with request_id, metric and value.',
      code: 'invalid_value',
    });
  }
  throw refuse(param, issue?.message ?? 'invalid');
}

/**
 * Feedback on logged answers: checks a value against its metric's declaration, finds the request it
 * rates (and that the caller's key may rate it), stores it beside the request log and counts it.
 */
export class FeedbackDesk {
  constructor(
    private readonly options: {
      config: FeedbackConfig;
      /** What is kept of comments and demonstrations, as of prompts (`storage.content`). */
      content: ContentLogging;
      store: FeedbackStore | undefined;
      /** Written out before a request is declared unknown: its row may still be queued. */
      requestLog: RequestLog | undefined;
      metrics: GatewayMetrics | undefined;
      now?: () => number;
    },
  ) {}

  async receive(body: unknown, access: Access | undefined): Promise<FeedbackReceipt> {
    const input = parseBody(body);
    const value = this.checkValue(input);
    const { maxCommentChars, maxDemonstrationChars } = this.options.config;
    if (input.comment !== undefined && input.comment.length > maxCommentChars)
      throw refuse('comment', `at most ${maxCommentChars} characters (got ${input.comment.length})`);
    if (input.demonstration !== undefined && input.demonstration.length > maxDemonstrationChars)
      throw refuse(
        'demonstration',
        `at most ${maxDemonstrationChars} characters (got ${input.demonstration.length})`,
      );
    const store = this.options.store;
    if (!store) {
      throw new InvalidRequestError({
        message:
          'Feedback is kept beside the request log, and this gateway keeps none (storage.requestLog is off).',
        code: 'feedback_unavailable',
      });
    }
    let target = await store.findRequest(input.request_id);
    if (!target && this.options.requestLog) {
      await this.options.requestLog.flush();
      target = await store.findRequest(input.request_id);
    }
    if (!target) {
      throw new ResourceNotFoundError({
        message: `No logged request '${input.request_id}' (send the x-request-id of an answer).`,
        code: 'request_not_found',
        param: 'request_id',
      });
    }
    if (access && target.tenant !== access.tenant.name) {
      throw new PermissionDeniedError({
        message: `Request '${input.request_id}' is not one of tenant '${access.tenant.name}''s requests.`,
        code: 'request_not_owned',
        param: 'request_id',
      });
    }
    const record: FeedbackRecord = {
      ...target,
      metric: input.metric,
      value,
      createdAt: (this.options.now ?? Date.now)(),
      comment: this.keep(input.comment),
      demonstration: this.keep(input.demonstration),
      keyId: access?.key.id ?? null,
    };
    const replaced = await store.recordFeedback(record);
    this.options.metrics?.observeFeedback(record);
    return {
      object: 'feedback',
      request_id: target.requestId,
      metric: input.metric,
      value: input.value,
      replaced,
    };
  }

  /** The value as stored (true is 1), or a 400 saying what the metric takes. */
  private checkValue(input: FeedbackInput): number {
    const declared = this.options.config.metrics;
    const metric = declared[input.metric];
    if (!metric) {
      const names = Object.keys(declared);
      throw refuse(
        'metric',
        names.length === 0
          ? 'no feedback metrics are declared (feedback.metrics in the config)'
          : `unknown metric "${input.metric}" (declared: ${names.join(', ')})`,
      );
    }
    if (metric.type === 'boolean') {
      if (typeof input.value !== 'boolean')
        throw refuse('value', `metric "${input.metric}" takes true or false`);
      return input.value ? 1 : 0;
    }
    if (typeof input.value !== 'number') throw refuse('value', `metric "${input.metric}" takes a number`);
    const { min, max } = metric;
    if ((min !== undefined && input.value < min) || (max !== undefined && input.value > max)) {
      const range =
        min !== undefined && max !== undefined
          ? `from ${min} to ${max}`
          : min !== undefined
            ? `of at least ${min}`
            : `of at most ${max}`;
      throw refuse('value', `metric "${input.metric}" takes a number ${range} (got ${input.value})`);
    }
    return input.value;
  }

  /** Free text kept as prompts are (`storage.content`): not at all, with PII replaced, or whole. */
  private keep(text: string | undefined): string | null {
    if (text === undefined || this.options.content === 'none') return null;
    return this.options.content === 'full' ? text : redactPii(text);
  }
}
