import type { OutcomeRow } from './read-router-data.js';

export interface OutcomeRoutingReport {
  n: number;
  weakAccuracy: number;
  strongAccuracy: number;
  /** Average performance gap recovered: area under PGR over the strong-call share 0..1 (random = 0.5). */
  apgr: number;
  /** Smallest strong-call share that recovers 50%, 80% and 95% of the gap (1 when never reached). */
  cpt50: number;
  cpt80: number;
  cpt95: number;
  /** [strongShare, quality] at shares 0, 0.01, ..., 1. */
  curve: [number, number][];
}

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The cost-quality curve of routing by `scores` (higher: send to the strong model first), as the
 * RouteLLM paper defines it: for each number k of strong calls, quality is the mean correctness of
 * the model each prompt went to. Prompts with equal scores are taken in random order, so their
 * contribution is averaged over the tie (no credit for a lucky order).
 */
export function computeQualityCurve(rows: readonly OutcomeRow[], scores: ArrayLike<number>): Float64Array {
  const n = rows.length;
  const order = Array.from({ length: n }, (_, index) => index).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  let weakTotal = 0;
  for (const row of rows) weakTotal += row.weakCorrect ? 1 : 0;
  const correct = new Float64Array(n + 1);
  correct[0] = weakTotal;
  let position = 0;
  while (position < n) {
    let end = position + 1;
    while (end < n && scores[order[end] as number] === scores[order[position] as number]) end += 1;
    let gain = 0;
    for (let index = position; index < end; index += 1) {
      const row = rows[order[index] as number] as OutcomeRow;
      gain += (row.strongCorrect ? 1 : 0) - (row.weakCorrect ? 1 : 0);
    }
    const perItem = gain / (end - position);
    for (let index = position; index < end; index += 1)
      correct[index + 1] = (correct[index] as number) + perItem;
    position = end;
  }
  return correct.map((value) => value / n);
}

/** APGR, CPT and the curve for routing `rows` by `scores`. */
export function evaluateOutcomeRouting(
  rows: readonly OutcomeRow[],
  scores: ArrayLike<number>,
): OutcomeRoutingReport {
  const n = rows.length;
  const quality = computeQualityCurve(rows, scores);
  const weak = quality[0] as number;
  const strong = rows.reduce((sum, row) => sum + (row.strongCorrect ? 1 : 0), 0) / n;
  const gap = strong - weak;
  const pgr = (k: number) => (gap === 0 ? 0 : ((quality[k] as number) - weak) / gap);
  let area = 0;
  for (let k = 0; k < n; k += 1) area += (pgr(k) + pgr(k + 1)) / 2 / n;
  const cpt = (target: number) => {
    for (let k = 0; k <= n; k += 1) if (pgr(k) >= target - 1e-12) return round(k / n);
    return 1;
  };
  const curve: [number, number][] = [];
  for (let step = 0; step <= 100; step += 1) {
    const k = Math.round((step / 100) * n);
    curve.push([round(k / n), round(quality[k] as number)]);
  }
  return {
    n,
    weakAccuracy: round(weak),
    strongAccuracy: round(strong),
    apgr: round(area),
    cpt50: cpt(0.5),
    cpt80: cpt(0.8),
    cpt95: cpt(0.95),
    curve,
  };
}
