import type { RolloutConfig } from '../../config/index.js';
import type { EvidenceStore, FeedbackStore, RolloutState } from '../../storage/index.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m` → milliseconds. */
export function parseInterval(text: string): number {
  return Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS];
}

/** The mean of one metric over the feedback on `model`'s answers since `since`. */
async function readFeedback(store: FeedbackStore, metric: string, model: string, since: number) {
  const groups = (await store.summarizeFeedback(since)).filter(
    (group) => group.metric === metric && group.model === model,
  );
  const count = groups.reduce((total, group) => total + group.count, 0);
  const mean =
    count > 0 ? groups.reduce((total, group) => total + group.mean * group.count, 0) / count : null;
  return { metric, count, mean: mean === null ? null : Number(mean.toFixed(4)) };
}

/**
 * The controller's verdict on a rollout, from the evidence since its share last changed: shadow
 * agreement between its two models (either direction), the escalation rate of the requests it
 * moved, and, where configured, feedback on `to`'s answers. Raise by `step` while all of them
 * hold; drop to the last good share (or off, if the share was never raised) when agreement,
 * feedback or (where configured) the escalation rate falls; otherwise hold (undefined). Too few
 * shadow pairs, moved requests or ratings decide nothing.
 */
export async function judgeRollout(options: {
  config: RolloutConfig;
  state: RolloutState;
  evidence: EvidenceStore;
  feedback?: FeedbackStore | undefined;
  now: number;
}): Promise<{ share: number; cause: 'raise' | 'rollback'; evidence: Record<string, unknown> } | undefined> {
  const { config, state, evidence, now } = options;
  const auto = config.auto;
  if (!auto || state.paused || now - state.updatedAt < parseInterval(auto.every)) return undefined;
  const pair = [config.from, config.to];
  const groups = (await evidence.summarizeShadow(state.updatedAt)).filter(
    (group) => pair.includes(group.from) && pair.includes(group.to),
  );
  const scored = groups.reduce((total, group) => total + group.scored, 0);
  const agreement = scored > 0 ? groups.reduce((total, group) => total + group.agreed, 0) / scored : null;
  const moved = await evidence.countRuleOutcomes(`rollout:${state.id}`, state.updatedAt);
  const escalationRate = moved.requests > 0 ? moved.escalated / moved.requests : 0;
  const raiseOn = auto.raiseIf.feedback;
  const rollbackOn = auto.rollbackIf.feedback;
  const read = (metric: string) =>
    options.feedback ? readFeedback(options.feedback, metric, config.to, state.updatedAt) : undefined;
  const raiseFeedback = raiseOn ? await read(raiseOn.metric) : undefined;
  const rollbackFeedback =
    rollbackOn && rollbackOn.metric === raiseOn?.metric
      ? raiseFeedback
      : rollbackOn
        ? await read(rollbackOn.metric)
        : undefined;
  const facts = {
    since: new Date(state.updatedAt).toISOString(),
    shadowPairs: scored,
    agreement: agreement === null ? null : Number(agreement.toFixed(4)),
    movedRequests: moved.requests,
    escalationRate: Number(escalationRate.toFixed(4)),
    ...(raiseFeedback || rollbackFeedback ? { feedback: rollbackFeedback ?? raiseFeedback } : {}),
  };
  const enoughPairs = scored >= auto.minSamples;
  const feedbackFalls =
    rollbackOn !== undefined &&
    rollbackFeedback?.mean != null &&
    rollbackFeedback.count >= rollbackOn.minCount &&
    rollbackFeedback.mean < rollbackOn.below;
  const escalationFalls =
    auto.rollbackIf.maxEscalationRate !== undefined &&
    moved.requests >= auto.minSamples &&
    escalationRate > auto.rollbackIf.maxEscalationRate;
  if (
    (enoughPairs && (agreement as number) < auto.rollbackIf.agreement) ||
    feedbackFalls ||
    escalationFalls
  ) {
    const back = state.share > state.lastGoodShare ? state.lastGoodShare : 0;
    return back < state.share ? { share: back, cause: 'rollback', evidence: facts } : undefined;
  }
  const feedbackHolds =
    raiseOn === undefined ||
    (raiseFeedback?.mean != null &&
      raiseFeedback.count >= raiseOn.minCount &&
      raiseFeedback.mean >= raiseOn.atLeast);
  if (
    enoughPairs &&
    (agreement as number) >= auto.raiseIf.agreement &&
    escalationRate <= auto.raiseIf.maxEscalationRate &&
    feedbackHolds
  ) {
    const raised = Math.min(auto.maxShare, Number((state.share + auto.step).toFixed(6)));
    return raised > state.share ? { share: raised, cause: 'raise', evidence: facts } : undefined;
  }
  return undefined;
}
