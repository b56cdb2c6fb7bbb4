import { computeQualityCurve } from './evaluate-outcome-routing.js';
import type { OutcomeRow } from './read-router-data.js';

export interface Calibration {
  /** Route to the strong model when the score (the policy's `complexity`) is above this. */
  threshold: number;
  strongShare: number;
  quality: number;
  pgr: number;
  /** Ready to paste under `routing.rules`. */
  rule: string;
}

function round(value: number, digits = 4): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/**
 * The score threshold that meets a target on this data: a share of strong calls
 * (`targetStrongShare`) or a share of the weak-strong quality gap recovered (`targetQuality`, PGR).
 * The threshold sits halfway between the last score sent to the strong model and the next one.
 */
export function calibrateThreshold(
  rows: readonly OutcomeRow[],
  scores: readonly number[],
  target: { strongShare: number } | { quality: number },
  strongModel = 'cloud',
): Calibration {
  const n = rows.length;
  const sorted = [...scores].sort((a, b) => b - a);
  const quality = computeQualityCurve(rows, scores);
  const weak = quality[0] as number;
  const strong = rows.reduce((sum, row) => sum + (row.strongCorrect ? 1 : 0), 0) / n;
  const pgrAt = (k: number) => (strong === weak ? 0 : ((quality[k] as number) - weak) / (strong - weak));
  let count: number;
  if ('strongShare' in target) {
    count = Math.round(Math.min(1, Math.max(0, target.strongShare)) * n);
  } else {
    count = n;
    for (let k = 0; k <= n; k += 1) {
      if (pgrAt(k) >= target.quality - 1e-12) {
        count = k;
        break;
      }
    }
  }
  // Equal scores cannot be split by a threshold: move the cut to the end of the tie.
  while (count > 0 && count < n && sorted[count] === sorted[count - 1]) count += 1;
  const above = count > 0 ? (sorted[count - 1] as number) : 1;
  const below = count < n ? (sorted[count] as number) : 0;
  const threshold =
    count === 0
      ? Math.max(above, sorted[0] ?? 1)
      : count === n
        ? Math.min(below, (sorted[n - 1] ?? 0) - 1e-6)
        : (above + below) / 2;
  const rounded = round(threshold, 6);
  return {
    threshold: rounded,
    strongShare: round(count / n),
    quality: round(quality[count] as number),
    pgr: round(pgrAt(count)),
    rule: `- { name: calibrated-complexity, when: { complexity: { gt: ${rounded} } }, then: ${strongModel} }`,
  };
}
