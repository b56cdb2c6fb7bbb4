import type { ShadowDisagreement, ShadowGroup } from '../../storage/index.js';

/** A 95% Wilson score interval for `successes` of `trials`: sound for small counts and rates near 0 or 1. */
export function computeWilsonInterval(
  successes: number,
  trials: number,
  z = 1.96,
): { low: number; high: number } {
  if (trials === 0) return { low: 0, high: 1 };
  const rate = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (rate + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((rate * (1 - rate)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** One row of `switchyard shadow report`. */
export interface ShadowReportRow extends ShadowGroup {
  /** Agreed of scored; null when nothing was scored. */
  agreement: number | null;
  interval: { low: number; high: number } | null;
  /** What serving these requests on `to` instead of `from` would have saved (negative: cost more). */
  savingsUsd: number;
}

export interface ShadowReport {
  since: string;
  rows: ShadowReportRow[];
  worstDisagreements: ShadowDisagreement[];
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export function summarizeShadow(
  groups: ShadowGroup[],
  disagreements: ShadowDisagreement[],
  since: number,
): ShadowReport {
  return {
    since: new Date(since).toISOString(),
    rows: groups.map((group) => {
      const interval = group.scored > 0 ? computeWilsonInterval(group.agreed, group.scored) : null;
      return {
        ...group,
        agreement: group.scored > 0 ? round(group.agreed / group.scored, 4) : null,
        interval: interval ? { low: round(interval.low, 4), high: round(interval.high, 4) } : null,
        savingsUsd: round(group.primaryCostUsd - group.shadowCostUsd, 9),
      };
    }),
    worstDisagreements: disagreements,
  };
}
