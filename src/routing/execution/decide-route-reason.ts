import type { RouteDecision, RouteReason } from '../../contract/index.js';
import type { AttemptLog } from './attempt-log.js';

/**
 * Why the answer comes from `servedBy`: the decision's own reason, a fallback (with the error
 * that moved the request on), or the escalation check. Derived from what the log recorded, so the
 * header, the row and the metrics all tell the same story.
 */
export function decideRouteReason(
  decision: RouteDecision,
  log: AttemptLog,
  servedBy: string | undefined = log.servedBy,
): RouteReason {
  const escalation = log.escalation;
  if (escalation) {
    const { from, why, detail } = escalation;
    if (escalation.escalated) return { kind: 'escalated', from, to: servedBy ?? escalation.to, why, detail };
    const because = log.escalationDeclined ?? 'escalation-failed';
    return { kind: 'escalation-declined', from, to: escalation.to, why, detail, because };
  }
  if (servedBy === undefined || servedBy === decision.target) return decision.reason;
  const failed = log.attempts.find((attempt) => attempt.status !== 'ok');
  return { kind: 'fallback', from: decision.target, to: servedBy, cause: failed?.errorCode ?? 'it failed' };
}
