/**
 * Keeps each row's `keep` largest weights and freezes the others at zero: an infinite accumulated
 * squared gradient makes every later AdaGrad step of a frozen entry exactly zero, so the training
 * loop needs no mask. The kept entries start afresh (accumulators reset) so they can re-balance.
 */
export function freezeAllButLargest(
  weights: Float32Array,
  squaredGradients: Float32Array,
  classCount: number,
  keep: number,
): void {
  const magnitudes = new Float32Array(classCount);
  for (let row = 0; row < weights.length; row += classCount) {
    let nonZero = 0;
    for (let k = 0; k < classCount; k += 1) {
      magnitudes[k] = Math.abs(weights[row + k] as number);
      if ((magnitudes[k] as number) > 0) nonZero += 1;
    }
    const cut = nonZero > keep ? (magnitudes.slice().sort()[classCount - keep] as number) : 0;
    // Entries equal to the cut fill the places left, lowest class first: the hinge loss moves a
    // target and its rival by the same step, so ties are common.
    let room = keep;
    for (let k = 0; k < classCount; k += 1) if ((magnitudes[k] as number) > cut) room -= 1;
    for (let k = 0; k < classCount; k += 1) {
      const at = row + k;
      const magnitude = magnitudes[k] as number;
      const kept = magnitude > 0 && (magnitude > cut || (magnitude === cut && room-- > 0));
      if (kept) {
        squaredGradients[at] = 0;
      } else {
        weights[at] = 0;
        squaredGradients[at] = Number.POSITIVE_INFINITY;
      }
    }
  }
}
