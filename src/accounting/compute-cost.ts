import type { TokenPrice } from '../config/index.js';
import type { Usage } from '../contract/index.js';

/**
 * USD cost of one model call. Each token class is billed at its own rate: uncached input, cache
 * reads, cache writes, visible output and reasoning output (the breakdown fields of Usage are
 * subsets of input and output, so nothing is counted twice). Rates left out of a price fall back to
 * the plain input or output rate.
 */
export function computeCost(usage: Usage, price: TokenPrice): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const cacheWrite = Math.min(usage.cacheWriteInputTokens, usage.inputTokens - cached);
  const uncached = usage.inputTokens - cached - cacheWrite;
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const visibleOutput = usage.outputTokens - reasoning;
  // Sum token×rate products first and divide once, so worked examples come out exact.
  const microDollars =
    uncached * price.inputPerMillion +
    cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
    cacheWrite * (price.cacheWriteInputPerMillion ?? price.inputPerMillion) +
    visibleOutput * price.outputPerMillion +
    reasoning * (price.reasoningPerMillion ?? price.outputPerMillion);
  return microDollars / 1_000_000;
}

/** Cost of running a self-hosted model for `busyMs` at an amortised `hourlyUsd`. */
export function computeHourlyCost(busyMs: number, hourlyUsd: number): number {
  return (busyMs / 3_600_000) * hourlyUsd;
}
