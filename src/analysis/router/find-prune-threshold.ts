/** The |weight| below which entries are dropped so that at most `maxWeights` remain. */
export function findPruneThreshold(weights: Float32Array, maxWeights: number): number {
  let nonZero = 0;
  let maxAbs = 0;
  for (const value of weights) {
    const abs = Math.abs(value);
    if (abs > 0) nonZero += 1;
    if (abs > maxAbs) maxAbs = abs;
  }
  if (nonZero <= maxWeights || maxAbs === 0) return 0;
  // A histogram over log-magnitudes finds the cut without sorting millions of values.
  const bins = 4096;
  const low = Math.log(maxAbs) - 20;
  const counts = new Uint32Array(bins);
  for (const value of weights) {
    const abs = Math.abs(value);
    if (abs === 0) continue;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(((Math.log(abs) - low) / 20) * bins)));
    counts[bin] = (counts[bin] as number) + 1;
  }
  let kept = 0;
  for (let bin = bins - 1; bin >= 0; bin -= 1) {
    kept += counts[bin] as number;
    if (kept > maxWeights) return Math.exp(low + ((bin + 1) / bins) * 20);
  }
  return 0;
}
