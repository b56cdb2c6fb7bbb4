/**
 * The 95% Wilson score interval for `successes` of `trials`: sound for small counts and for rates
 * near 0 or 1, where the normal approximation is not. Null when there are no trials. Shadow
 * agreement (report, dashboard, rollout evidence) and benchmark accuracy all quote this interval.
 */
export function computeWilsonInterval(
  successes: number,
  trials: number,
): { low: number; high: number } | null {
  if (trials === 0) return null;
  const z = 1.959964;
  const rate = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (rate + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((rate * (1 - rate)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
