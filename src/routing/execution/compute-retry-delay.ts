import type { RetriesConfig } from '../../config/index.js';
import type { GatewayError } from '../../errors/index.js';

/**
 * How long to wait before retrying after `error`, or undefined to move on to the next target now.
 * An upstream's Retry-After is honoured when it is short enough; otherwise exponential backoff
 * with "equal jitter" (half fixed, half random) so retries from many requests do not align.
 */
export function computeRetryDelay(
  error: GatewayError,
  retryIndex: number,
  config: RetriesConfig,
  random: () => number = Math.random,
): number | undefined {
  if (error.retryAfterSeconds !== undefined) {
    const ms = error.retryAfterSeconds * 1000;
    return ms <= config.maxRetryAfterMs ? ms : undefined;
  }
  const ceiling = Math.min(config.maxBackoffMs, config.initialBackoffMs * 2 ** retryIndex);
  return ceiling / 2 + random() * (ceiling / 2);
}
