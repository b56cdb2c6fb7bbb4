import type { RolloutConfig } from '../../config/index.js';
import type { EvidenceStore, RolloutState } from '../../storage/index.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m` → milliseconds. */
export function parseInterval(text: string): number {
  return Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS];
}

/**
 * The controller's verdict on a rollout, from the evidence since its share last changed: shadow
 * agreement between its two models (either direction), and the escalation rate of the requests it
 * moved. Raise by `step` while agreement and escalation hold; drop to the last good share (or off,
 * if the share was never raised) when agreement falls; otherwise hold (undefined).
 */
export async function judgeRollout(options: {
  config: RolloutConfig;
  state: RolloutState;
  evidence: EvidenceStore;
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
  if (scored < auto.minSamples) return undefined;
  const agreement = groups.reduce((total, group) => total + group.agreed, 0) / scored;
  const moved = await evidence.countRuleOutcomes(`rollout:${state.id}`, state.updatedAt);
  const escalationRate = moved.requests > 0 ? moved.escalated / moved.requests : 0;
  const facts = {
    since: new Date(state.updatedAt).toISOString(),
    shadowPairs: scored,
    agreement: Number(agreement.toFixed(4)),
    movedRequests: moved.requests,
    escalationRate: Number(escalationRate.toFixed(4)),
  };
  if (agreement < auto.rollbackIf.agreement) {
    const back = state.share > state.lastGoodShare ? state.lastGoodShare : 0;
    return back < state.share ? { share: back, cause: 'rollback', evidence: facts } : undefined;
  }
  if (agreement >= auto.raiseIf.agreement && escalationRate <= auto.raiseIf.maxEscalationRate) {
    const raised = Math.min(auto.maxShare, Number((state.share + auto.step).toFixed(6)));
    return raised > state.share ? { share: raised, cause: 'raise', evidence: facts } : undefined;
  }
  return undefined;
}
