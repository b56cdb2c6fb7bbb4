import { GatewayError } from './gateway-error.js';

/** Which limit an upstream call ran past. */
export type UpstreamTimeoutPhase = 'connect' | 'first-byte' | 'idle' | 'total';

/** An upstream did not connect, start answering, keep answering or finish within its configured time (504). */
export class UpstreamTimeoutError extends GatewayError {
  readonly status = 504;
  readonly type = 'upstream_error';
  override readonly isRetryable = true;
  readonly phase: UpstreamTimeoutPhase;

  constructor(options: { model: string; phase: UpstreamTimeoutPhase; timeoutMs: number; cause?: unknown }) {
    const what = {
      connect: 'connect',
      'first-byte': 'start answering',
      idle: 'send more of its answer',
      total: 'finish',
    }[options.phase];
    super({
      message: `Model '${options.model}' did not ${what} within ${options.timeoutMs} ms.`,
      code: 'upstream_timeout',
      cause: options.cause,
    });
    this.phase = options.phase;
  }
}
