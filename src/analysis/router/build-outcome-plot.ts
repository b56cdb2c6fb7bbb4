import { computeQualityCurve } from './evaluate-outcome-routing.js';
import { plotCostQualitySvg } from './plot-svg.js';
import type { OutcomeRow } from './read-router-data.js';

function sample(quality: Float64Array): [number, number][] {
  const n = quality.length - 1;
  const points: [number, number][] = [];
  for (let step = 0; step <= 100; step += 1) {
    const k = Math.round((step / 100) * n);
    points.push([k / n, quality[k] as number]);
  }
  return points;
}

/** The cost-quality chart of a router against random routing and the oracle, on the same rows. */
export function buildOutcomePlot(
  title: string,
  rows: readonly OutcomeRow[],
  scores: readonly number[],
): string {
  const weak = rows.reduce((sum, row) => sum + (row.weakCorrect ? 1 : 0), 0) / rows.length;
  const strong = rows.reduce((sum, row) => sum + (row.strongCorrect ? 1 : 0), 0) / rows.length;
  // The oracle sends exactly the prompts only the strong model gets right, and never those it gets wrong.
  const oracle = rows.map((row) => (row.strongCorrect ? 1 : 0) - (row.weakCorrect ? 1 : 0));
  return plotCostQualitySvg({
    title,
    series: [
      { name: 'router', color: '#d62728', points: sample(computeQualityCurve(rows, scores)) },
      {
        name: 'random',
        color: '#7f7f7f',
        points: [
          [0, weak],
          [1, strong],
        ],
        dashed: true,
      },
      { name: 'oracle', color: '#2ca02c', points: sample(computeQualityCurve(rows, oracle)), dashed: true },
    ],
  });
}
