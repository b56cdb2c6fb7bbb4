import { createEmptyCounts, type StatsCounts, type StatsOverview } from '../../storage/index.js';

const MONTH_MS = 30 * 86_400_000;

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/**
 * The shares the page shows, each with its definition in one place: the SLM share of the answered
 * requests; escalation, fallback and error rates of all requests; savings as a share of the
 * baseline cost of the requests whose costs are both known.
 */
export function describeRates(counts: StatsCounts, unanswered: number) {
  return {
    answered: counts.requests - unanswered,
    localShare: ratio(counts.local, counts.requests - unanswered),
    escalationRate: ratio(counts.escalated, counts.requests),
    fallbackRate: ratio(counts.fallbacks, counts.requests),
    errorRate: ratio(counts.errors, counts.requests),
    savingsShare: ratio(counts.savingsUsd, counts.comparedBaselineUsd),
  };
}

/** Every step of the range, those without requests as zeros, so a chart spans the whole range. */
function fillSeries(overview: StatsOverview): StatsOverview['series'] {
  const stepMs = overview.stepSeconds * 1000;
  const byTime = new Map(overview.series.map((bucket) => [bucket.at, bucket]));
  const series: StatsOverview['series'] = [];
  for (let at = Math.floor(overview.from / stepMs) * stepMs; at < overview.to; at += stepMs) {
    series.push(byTime.get(at) ?? { at, models: {}, ...createEmptyCounts() });
  }
  return series;
}

/** The overview with its rates, and the savings projected to 30 days at the range's rate. */
export function describeOverview(overview: StatsOverview, now: number) {
  const unanswered = overview.models.find((model) => model.model === 'none')?.requests ?? 0;
  const elapsed = Math.min(overview.to, now) - overview.from;
  return {
    range: {
      from: new Date(overview.from).toISOString(),
      to: new Date(overview.to).toISOString(),
      stepSeconds: overview.stepSeconds,
    },
    totals: {
      ...overview.totals,
      ...describeRates(overview.totals, unanswered),
      projectedMonthlySavingsUsd: elapsed > 0 ? (overview.totals.savingsUsd / elapsed) * MONTH_MS : null,
    },
    models: overview.models,
    series: fillSeries(overview).map((bucket) => ({
      ...bucket,
      at: new Date(bucket.at).toISOString(),
      ...describeRates(bucket, bucket.models.none ?? 0),
    })),
    why: overview.why,
    latency: overview.latency,
  };
}
