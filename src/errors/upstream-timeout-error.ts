import { GatewayError } from './gateway-error.js';

/** An upstream did not connect, start answering, or finish within its configured time (504). */
export class UpstreamTimeoutError extends GatewayError {
  readonly status = 504;
  readonly type = 'upstream_error';
  override readonly isRetryable = true;
  readonly phase: 'connect' | 'first-byte' | 'total';

  constructor(options: {
    model: string;
    phase: 'connect' | 'first-byte' | 'total';
    timeoutMs: number;
    cause?: unknown;
  }) {
    const what = { connect: 'connect', 'first-byte': 'start answering', total: 'finish' }[options.phase];
    super({
      message: `Model '${options.model}' did not ${what} within ${options.timeoutMs} ms.`,
      code: 'upstream_timeout',
      cause: options.cause,
    });
    this.phase = options.phase;
  }
}
