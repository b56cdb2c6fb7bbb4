/** Labels of outcome models: which of the weak and strong models answered correctly. */
export const OUTCOME_LABELS = ['both-right', 'both-wrong', 'strong-only', 'weak-only'] as const;

export function labelOutcome(weakCorrect: boolean, strongCorrect: boolean): (typeof OUTCOME_LABELS)[number] {
  if (weakCorrect) return strongCorrect ? 'both-right' : 'weak-only';
  return strongCorrect ? 'strong-only' : 'both-wrong';
}
