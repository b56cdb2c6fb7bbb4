import type { RoutingConfig } from '../config/index.js';
import type { EscalationPlan } from '../contract/index.js';

/**
 * The models a request may be served by, in order: its target, then the target's fallbacks; and,
 * when the escalation applies, who may answer instead of its `from` model. Residency is applied
 * here as a constraint on every candidate: a request bound to local models never lists another.
 */
export function planCandidates(options: {
  routing: RoutingConfig;
  isLocal(name: string): boolean;
  target: string;
  forced: boolean;
  stream: boolean;
  localOnly: boolean;
}): { candidates: string[]; escalation?: EscalationPlan } {
  const { routing, localOnly } = options;
  const allowed = (name: string) => !localOnly || options.isLocal(name);
  const candidates = [options.target];
  for (const name of routing.fallbacks[options.target] ?? []) {
    if (!candidates.includes(name) && allowed(name)) candidates.push(name);
  }
  const escalation = routing.escalation;
  if (!escalation || !candidates.includes(escalation.from)) return { candidates };
  if (options.forced && escalation.applyTo === 'routed') return { candidates };
  if (options.stream) {
    // A stream is checked only when buffered, and only its target's answer is buffered.
    if (escalation.streaming === 'off' || options.target !== escalation.from) return { candidates };
  }
  const plan: EscalationPlan = { from: escalation.from, target: escalation.to, to: [] };
  if (!allowed(escalation.to))
    return { candidates, escalation: Object.assign(plan, { blockedBy: 'residency' }) };
  for (const name of [escalation.to, ...(routing.fallbacks[escalation.to] ?? [])]) {
    if (name !== escalation.from && !plan.to.includes(name) && allowed(name)) plan.to.push(name);
  }
  return { candidates, escalation: plan };
}
