import type { Logger } from 'pino';
import type { RequestOutcome } from '../contract/index.js';
import type { RequestLog } from '../storage/index.js';
import type { GatewayMetrics } from '../telemetry/index.js';

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Writes a finished request's outcome everywhere it is read: the request log (queued, never
 * awaited), the metrics and one log line. Called once per request, by ChatGateway's `finally`.
 */
export class OutcomeRecorder {
  constructor(
    private readonly options: {
      requestLog?: RequestLog | undefined;
      metrics?: GatewayMetrics | undefined;
      logger: Logger;
      /** Prompt and answer text reach the log line only when content logging is `full`. */
      logContent: boolean;
    },
  ) {}

  record(outcome: RequestOutcome): void {
    const { logger } = this.options;
    try {
      this.options.requestLog?.append(outcome);
    } catch (error) {
      logger.error({ err: error, requestId: outcome.id }, 'request log append failed');
    }
    this.options.metrics?.observe(outcome);
    const { timings } = outcome;
    logger.info(
      {
        requestId: outcome.id,
        status: outcome.status,
        requestedModel: outcome.requestedModel,
        route: outcome.decision?.target ?? null,
        reason: outcome.reason?.kind ?? null,
        model: outcome.servedModel,
        escalated: outcome.escalation?.escalated ?? false,
        attempts: outcome.attempts.length,
        stream: outcome.stream,
        latencyMs: round2(timings.latencyMs),
        ...(timings.ttftMs !== null ? { ttftMs: round2(timings.ttftMs) } : {}),
        inputTokens: outcome.usage?.inputTokens,
        outputTokens: outcome.usage?.outputTokens,
        costUsd: outcome.costUsd,
        baselineCostUsd: outcome.baselineCostUsd,
        ...(outcome.error ? { errorCode: outcome.error.code } : {}),
        ...(this.options.logContent
          ? { prompt: outcome.content.request, response: outcome.content.response }
          : {}),
      },
      'chat completion',
    );
  }
}
