import type { Logger } from 'pino';
import type { PriceBook } from '../../accounting/index.js';
import type { ContentLogging, EscalationConfig, ShadowConfig } from '../../config/index.js';
import type { Attempt, ChatModel, ChatRequest, RequestOutcome, RouteDecision } from '../../contract/index.js';
import { isGatewayError } from '../../errors/index.js';
import { redactPii } from '../../routing/index.js';
import type { EvidenceStore, RequestLog, ShadowPairRecord, ShadowScores } from '../../storage/index.js';
import type { GatewayMetrics } from '../../telemetry/index.js';
import { judgeAnswers } from './judge-answers.js';
import { type AnswerText, decideAgreement, scoreShadowAnswer } from './score-shadow-answer.js';

/** The shadow entries a request was sampled for, decided before it was answered. */
export interface ShadowPick {
  entries: ShadowConfig[];
}

/**
 * Runs shadow calls after answers: the same request on a second model, off the request path, on
 * a signal of its own (a client that leaves does not cancel it), never escalated or retried, at
 * most `maxConcurrent` at once per entry (a sample finding them busy is dropped and counted).
 * Each pair is scored, costed as an attempt of role `shadow`, and written to the evidence store.
 */
export class ShadowRunner {
  private readonly running = new Map<ShadowConfig, number>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly controller = new AbortController();

  constructor(
    private readonly options: {
      entries: readonly ShadowConfig[];
      models: ReadonlyMap<string, ChatModel>;
      priceBook: PriceBook;
      escalation: EscalationConfig | undefined;
      content: ContentLogging;
      logger: Logger;
      evidence?: EvidenceStore | undefined;
      requestLog?: RequestLog | undefined;
      metrics?: GatewayMetrics | undefined;
      random?: () => number;
      now?: () => number;
    },
  ) {}

  /**
   * Samples the entries this request may be shadowed by: those whose `from` could answer it and
   * whose `to` residency allows. Whether `from` did answer is checked once it has.
   */
  pick(decision: RouteDecision): ShadowPick | undefined {
    const random = this.options.random ?? Math.random;
    const entries = this.options.entries.filter(
      (entry) =>
        decision.candidates.includes(entry.from) &&
        (!decision.localOnly || this.options.models.get(entry.to)?.isLocal === true) &&
        random() < entry.sample,
    );
    return entries.length > 0 ? { entries } : undefined;
  }

  /** Starts the picked shadow calls of an answered request; returns at once. */
  start(pick: ShadowPick, outcome: RequestOutcome, request: ChatRequest, answer: AnswerText): void {
    if (outcome.status !== 200 || outcome.error) return;
    pick.entries
      .filter((entry) => entry.from === outcome.servedModel)
      .forEach((entry, index) => {
        const running = this.running.get(entry) ?? 0;
        if (running >= entry.maxConcurrent) {
          this.options.metrics?.countShadowDropped({ from: entry.from, to: entry.to });
          return;
        }
        this.running.set(entry, running + 1);
        const task = this.run(entry, outcome, request, answer, outcome.attempts.length + index)
          .catch((error: unknown) =>
            this.options.logger.warn({ err: error, requestId: outcome.id }, 'shadow call not recorded'),
          )
          .finally(() => {
            this.running.set(entry, (this.running.get(entry) ?? 1) - 1);
            this.tasks.delete(task);
          });
        this.tasks.add(task);
      });
  }

  /** Stops running shadow calls (shutdown) and waits for them to be recorded. */
  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.tasks]);
  }

  private async run(
    entry: ShadowConfig,
    outcome: RequestOutcome,
    request: ChatRequest,
    primary: AnswerText,
    attemptIndex: number,
  ): Promise<void> {
    const { models, priceBook } = this.options;
    const now = this.options.now ?? (() => performance.now());
    const model = models.get(entry.to) as ChatModel;
    const meter = priceBook.startAttempt(entry.to);
    const startedAt = now();
    const attempt: Attempt = { model: entry.to, role: 'shadow', status: 'ok', latencyMs: 0, costUsd: null };
    let scores: ShadowScores | null = null;
    let shadow: AnswerText | undefined;
    try {
      const result = await model.doGenerate(request, this.controller.signal);
      shadow = { text: result.text, toolCalls: result.toolCalls };
      attempt.latencyMs = now() - startedAt;
      attempt.usage = result.usage;
      attempt.modelId = result.modelId;
      attempt.costUsd = meter.finish(result.usage, result.modelId);
      const small = models.get(entry.to)?.isLocal && !models.get(entry.from)?.isLocal ? 'shadow' : 'primary';
      scores = scoreShadowAnswer({ primary, shadow, request, small, escalation: this.options.escalation });
      if (entry.judge) scores.judge = await this.judge(entry.judge, request, primary, shadow);
    } catch (error) {
      attempt.latencyMs = now() - startedAt;
      attempt.costUsd = meter.finish(undefined);
      attempt.status = 'error';
      attempt.errorCode = isGatewayError(error) ? error.code : 'upstream_error';
      attempt.errorMessage = (error as Error)?.message;
    }
    const agreement = scores ? decideAgreement(scores) : null;
    const route = outcome.decision?.target ?? null;
    const taskType = outcome.decision?.features?.taskType ?? null;
    this.options.metrics?.observeShadowPair({ from: entry.from, to: entry.to, route, taskType, agreement });
    const record: ShadowPairRecord = {
      requestId: outcome.id,
      createdAt: Date.now(),
      from: entry.from,
      to: entry.to,
      route,
      rule: outcome.decision?.rule ?? null,
      taskType,
      attempt,
      primaryCostUsd: outcome.costUsd,
      scores,
      agreement,
      content: this.keepContent(shadow),
    };
    const { evidence, requestLog } = this.options;
    if (!evidence) return;
    // The shadow call is an attempt of its request, whose row must be in the database first.
    await requestLog?.flush();
    await evidence.appendShadowPair(record, attemptIndex);
  }

  private async judge(name: string, request: ChatRequest, first: AnswerText, second: AnswerText) {
    const judge = this.options.models.get(name);
    if (!judge) return null;
    try {
      return await judgeAnswers({ judge, request, first, second, signal: this.controller.signal });
    } catch (error) {
      this.options.logger.warn({ err: error, judge: name }, 'shadow judge failed');
      return null;
    }
  }

  private keepContent(answer: AnswerText | undefined): string | null {
    if (!answer || this.options.content === 'none') return null;
    const text = answer.text || JSON.stringify(answer.toolCalls);
    return this.options.content === 'full' ? text : redactPii(text);
  }
}
