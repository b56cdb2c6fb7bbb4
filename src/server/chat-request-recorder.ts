import type { FastifyBaseLogger } from 'fastify';
import type { PriceBook } from '../accounting/index.js';
import type { ContentLogging } from '../config/index.js';
import type { ChatRequest } from '../contract/index.js';
import {
  type ExecutionReport,
  type ResolvedTarget,
  redactPii,
  sumAttemptCost,
  sumAttemptMs,
} from '../routing/index.js';
import type { RequestLog, RequestLogRecord } from '../storage/index.js';
import type { GatewayMetrics } from '../telemetry/index.js';

/** Everything known about one chat request when it ends. */
export interface ChatRequestTrace {
  id: string;
  /** Epoch ms at arrival, and the monotonic clock at arrival (for durations). */
  startedAt: number;
  startedAtMonotonic: number;
  tenant: string | null;
  requestedModel: string | null;
  stream: boolean;
  request?: ChatRequest;
  target?: ResolvedTarget;
  report?: ExecutionReport;
  /** Monotonic time the first answer byte went to the client. */
  firstByteAtMonotonic?: number;
  responseText?: string;
}

function describeContent(request: ChatRequest): string {
  return request.messages.map((message) => `${message.role}: ${message.content}`).join('\n');
}

/** `piiFree`: the text was already scanned and holds none, so redaction would change nothing. */
function applyContentLogging(text: string | undefined, mode: ContentLogging, piiFree = false): string | null {
  if (text === undefined || mode === 'none') return null;
  return mode === 'full' || piiFree ? text : redactPii(text);
}

/**
 * Turns a finished request into its request-log row, its metrics and its one log line. Each
 * request is recorded exactly once, whatever path it ended on (the route guarantees the call).
 */
export class ChatRequestRecorder {
  constructor(
    private readonly options: {
      requestLog?: RequestLog | undefined;
      metrics?: GatewayMetrics | undefined;
      priceBook: PriceBook;
      content: ContentLogging;
      configHash: string;
    },
  ) {}

  /** The cost headers of an answer: what its attempts cost, and the baseline's price for it. */
  summarizeCost(report: ExecutionReport): { costUsd: number | null; baselineCostUsd: number | null } {
    return {
      costUsd: sumAttemptCost(report),
      baselineCostUsd: this.options.priceBook.computeBaselineCost(report.usage),
    };
  }

  record(
    trace: ChatRequestTrace,
    outcome: { status: number; error?: { code: string; message: string } },
    log: FastifyBaseLogger,
  ): void {
    const endedAt = performance.now();
    const latencyMs = endedAt - trace.startedAtMonotonic;
    const { report, target } = trace;
    // A request refused before any model call spent nothing: its cost is known, and zero.
    const { costUsd, baselineCostUsd } = report
      ? this.summarizeCost(report)
      : { costUsd: 0, baselineCostUsd: null };
    const succeeded = outcome.status < 400;
    const ttftMs =
      trace.firstByteAtMonotonic !== undefined
        ? trace.firstByteAtMonotonic - trace.startedAtMonotonic
        : succeeded
          ? latencyMs
          : null;
    const content = this.options.content;
    const record: RequestLogRecord = {
      id: trace.id,
      startedAt: trace.startedAt,
      tenant: trace.tenant,
      user: trace.request?.user ?? null,
      requestedModel: trace.requestedModel,
      route: target?.model.name ?? null,
      rule: target?.rule ?? null,
      reason: report?.reason ?? target?.reason ?? null,
      scores: target ? this.collectScores(target) : null,
      escalated: report?.escalated ?? false,
      escalationReason: report?.escalation?.reason ?? null,
      finalModel: succeeded ? (report?.servedBy ?? null) : null,
      status: outcome.status,
      errorCode: outcome.error?.code ?? null,
      errorMessage: outcome.error?.message ?? null,
      stream: trace.stream,
      ttftMs,
      latencyMs,
      usage: report?.usage ?? null,
      costUsd,
      baselineCostUsd,
      configHash: this.options.configHash,
      requestContent: applyContentLogging(
        trace.request ? describeContent(trace.request) : undefined,
        content,
        // Routing already scanned these messages (role names add no PII).
        target?.piiScanned === true && target.piiKinds.length === 0,
      ),
      responseContent: applyContentLogging(trace.responseText, content),
      attempts: report?.attempts ?? [],
    };
    this.options.requestLog?.append(record);
    if (report && target) {
      const upstreamMs = sumAttemptMs(report);
      this.options.metrics?.observeRequest({
        route: target.model.name,
        model: report.servedBy ?? 'none',
        status: outcome.status,
        durationSeconds: latencyMs / 1000,
        overheadSeconds: (latencyMs - upstreamMs - report.backoffMs) / 1000,
        attempts: report.attempts,
        ...(report.escalation && report.attempts.some((attempt) => attempt.role === 'escalation')
          ? {
              escalation: {
                from: report.escalation.from,
                to: report.escalation.to,
                reason: report.escalation.reason,
              },
            }
          : {}),
        costUsd,
        baselineCostUsd,
      });
    }
    log.info(
      {
        requestId: record.id,
        status: record.status,
        requestedModel: record.requestedModel,
        route: record.route,
        rule: record.rule,
        model: record.finalModel,
        escalated: record.escalated,
        attempts: record.attempts.length,
        stream: record.stream,
        latencyMs: Math.round(latencyMs * 100) / 100,
        ...(ttftMs !== null ? { ttftMs: Math.round(ttftMs * 100) / 100 } : {}),
        inputTokens: record.usage?.inputTokens,
        outputTokens: record.usage?.outputTokens,
        costUsd,
        baselineCostUsd,
        ...(record.errorCode ? { errorCode: record.errorCode } : {}),
        // Prompt text reaches the log line only when content logging is `full`.
        ...(content === 'full' ? { prompt: record.requestContent, response: record.responseContent } : {}),
      },
      'chat completion',
    );
  }

  private collectScores(target: ResolvedTarget): Record<string, unknown> {
    // Built property by property: a literal that starts with a spread and adds more is promoted
    // to the old generation by V8 (Node 20), per request (test/no-leading-spread.test.ts).
    const scores: Record<string, unknown> = {};
    const features = target.features;
    if (features) {
      scores.taskType = features.taskType;
      scores.taskTypeProbability = features.taskTypeProbability;
      scores.complexity = features.complexity;
      scores.inputTokens = features.inputTokens;
      scores.hasTools = features.hasTools;
      scores.responseFormat = features.responseFormat;
      if (features.intent !== undefined) {
        scores.intent = features.intent;
        scores.inScope = features.inScope;
      }
    }
    scores.piiKinds = target.piiKinds;
    scores.localOnly = target.localOnly;
    return scores;
  }
}
