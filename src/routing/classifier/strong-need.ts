/**
 * The strong-needed score of an outcome model's prediction, 0..1. An outcome model's labels say
 * which of the weak and strong models answered right (`both-right`, `both-wrong`, `strong-only`,
 * `weak-only`); the score is the expected accuracy gain of a strong call, P(strong-only) − P(weak-only), rescaled from −1..1 (0.5 = no gain either way).
 * Ranking by the gain rather than by P(strong-only) alone counts the prompts the strong model
 * would get wrong where the weak one is right; cross-validated on MMLU it routes better
 * (docs/router.md).
 */
export function computeStrongNeed(labels: readonly string[], probabilities: ArrayLike<number>): number {
  const strongOnly = labels.indexOf('strong-only');
  const weakOnly = labels.indexOf('weak-only');
  if (strongOnly === -1) throw new Error('not an outcome model: it has no "strong-only" label');
  const gain =
    (probabilities[strongOnly] as number) - (weakOnly === -1 ? 0 : (probabilities[weakOnly] as number));
  return (1 + gain) / 2;
}
