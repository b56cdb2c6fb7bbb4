import { computeWilsonInterval } from '../../contract/index.js';
import type { ShadowDisagreement, ShadowGroup } from '../../storage/index.js';

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
      const interval = computeWilsonInterval(group.agreed, group.scored);
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
