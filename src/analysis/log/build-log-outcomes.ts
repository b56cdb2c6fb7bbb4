import type { EscalationConfig, FeedbackConfig } from '../../config/index.js';
import type { FeedbackRecord, LoggedOutcome, LoggedShadowPair } from '../../storage/index.js';
import type { OutcomeRow } from '../router/read-router-data.js';
import { judgeFeedback } from './judge-feedback.js';
import type { ModelRoles } from './model-roles.js';
import { parseLoggedMessages, readRoutedText } from './parse-logged-messages.js';

/** What told whether the small model's answer was right. */
export type OutcomeEvidence = 'feedback' | 'shadow' | 'escalation' | 'check';

/** A logged request turned into an outcome row: the prompt as the router read it, who was right. */
export interface LogOutcomeRow extends OutcomeRow {
  requestId: string;
  startedAt: number;
  evidence: OutcomeEvidence;
}

export interface LogOutcomeCounts {
  requests: number;
  /** Requests whose prompt the log does not keep (`storage.content: none`, or refused early). */
  withoutContent: number;
  /** Requests with a prompt but no evidence about the small model's answer. */
  withoutEvidence: number;
  byEvidence: Record<OutcomeEvidence, number>;
}

export interface LogOutcomeSources {
  outcomes: readonly LoggedOutcome[];
  shadowPairs: readonly LoggedShadowPair[];
  feedback: readonly FeedbackRecord[];
}

/**
 * Outcome rows from the request log, for training and measuring the strong-needed model on a
 * deployment's own traffic. Per request, the small model's answer is judged by the strongest
 * evidence there is: a person's feedback on it; else a shadow pair of a small and a large model
 * (agreement with the large model's answer); else the gateway's own check of it (an escalation
 * reason means it failed; an answer the small model served past its escalation check passed). The
 * large model is taken to be right unless feedback on its own answer says otherwise.
 */
export function buildLogOutcomes(
  sources: LogOutcomeSources,
  options: {
    roles: ModelRoles;
    feedbackMetrics: FeedbackConfig['metrics'];
    /** Feedback metrics to read (all declared ones when left out). */
    useMetrics?: readonly string[];
    escalation?: Pick<EscalationConfig, 'from' | 'applyTo'> | undefined;
  },
): { rows: LogOutcomeRow[]; counts: LogOutcomeCounts } {
  const { small, large } = options.roles;
  const verdicts = judgeFeedback(sources.feedback, options.feedbackMetrics, options.useMetrics);
  const agreements = new Map<string, number>();
  for (const pair of sources.shadowPairs) {
    const paired =
      (small.has(pair.from) && large.has(pair.to)) || (large.has(pair.from) && small.has(pair.to));
    if (paired && pair.agreement !== null && !agreements.has(pair.requestId))
      agreements.set(pair.requestId, pair.agreement);
  }
  const counts: LogOutcomeCounts = {
    requests: sources.outcomes.length,
    withoutContent: 0,
    withoutEvidence: 0,
    byEvidence: { feedback: 0, shadow: 0, escalation: 0, check: 0 },
  };
  const rows: LogOutcomeRow[] = [];
  for (const outcome of sources.outcomes) {
    if (outcome.requestContent === null || outcome.requestContent === '') {
      counts.withoutContent += 1;
      continue;
    }
    const served = outcome.finalModel;
    const verdict = verdicts.get(outcome.id);
    const strongCorrect = served !== null && large.has(served) && verdict !== undefined ? verdict : true;
    const judged = judgeSmallAnswer(outcome, {
      smallServed: served !== null && small.has(served),
      verdict,
      agreement: agreements.get(outcome.id),
      strongCorrect,
      escalation: options.escalation,
    });
    if (!judged) {
      counts.withoutEvidence += 1;
      continue;
    }
    counts.byEvidence[judged.evidence] += 1;
    rows.push({
      requestId: outcome.id,
      startedAt: outcome.startedAt,
      prompt: readRoutedText(parseLoggedMessages(outcome.requestContent)),
      weakCorrect: judged.weakCorrect,
      strongCorrect,
      evidence: judged.evidence,
    });
  }
  return { rows, counts };
}

function judgeSmallAnswer(
  outcome: LoggedOutcome,
  facts: {
    smallServed: boolean;
    verdict: boolean | undefined;
    agreement: number | undefined;
    strongCorrect: boolean;
    escalation: Pick<EscalationConfig, 'from' | 'applyTo'> | undefined;
  },
): { weakCorrect: boolean; evidence: OutcomeEvidence } | undefined {
  if (facts.smallServed && facts.verdict !== undefined)
    return { weakCorrect: facts.verdict, evidence: 'feedback' };
  if (facts.agreement !== undefined) {
    // Agreeing with a right answer is right, with a wrong one wrong; differing from a wrong one
    // says nothing.
    if (facts.agreement >= 0.5) return { weakCorrect: facts.strongCorrect, evidence: 'shadow' };
    if (facts.strongCorrect) return { weakCorrect: false, evidence: 'shadow' };
    return undefined;
  }
  if (outcome.escalationReason !== null) return { weakCorrect: false, evidence: 'escalation' };
  const escalation = facts.escalation;
  const checked =
    facts.smallServed &&
    escalation !== undefined &&
    outcome.finalModel === escalation.from &&
    outcome.status === 200 &&
    (escalation.applyTo === 'all' || outcome.rule !== 'forced');
  return checked ? { weakCorrect: true, evidence: 'check' } : undefined;
}
