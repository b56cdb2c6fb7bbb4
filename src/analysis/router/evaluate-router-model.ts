import { runVerifiers, type TextClassifier, type Verifier } from '../../routing/index.js';
import { evaluateIntents, type IntentReport } from './evaluate-intents.js';
import { evaluateOutcomeRouting, type OutcomeRoutingReport } from './evaluate-outcome-routing.js';
import type { IntentData, OutcomeData, OutcomeRow } from './read-router-data.js';
import { scoreOutcomeRows } from './score-outcomes.js';

export interface VerifierStats {
  /** Answers it failed. */
  flagged: number;
  /** Of the weak model's wrong answers, the share it caught. */
  weakWrongCaught: number;
  /** Of the weak model's right answers, the share it escalated for nothing. */
  weakRightFlagged: number;
}

export interface CascadeReport extends OutcomeRoutingReport {
  /** The weak model answers every prompt first. */
  weakCalls: number;
  /** Strong-call share and quality when only failed verifications escalate. */
  verifierOnly: { strongShare: number; quality: number; pgr: number };
  verifiers: Record<string, VerifierStats>;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Pre-routing: the model scores each prompt before any model answers. */
export function evaluateOutcomeModel(classifier: TextClassifier, data: OutcomeData): OutcomeRoutingReport {
  return evaluateOutcomeRouting(data.rows, scoreOutcomeRows(classifier, data.rows));
}

/**
 * Cascade: the weak model answers every prompt; answers that fail a verifier are escalated first,
 * then the rest in the order of the router's score. Sweeping the cut gives a curve on the same
 * strong-call axis as pre-routing (every point also pays one weak call per prompt).
 */
export function evaluateCascade(
  classifier: TextClassifier,
  data: OutcomeData,
  verifiers: readonly Verifier[],
): CascadeReport {
  const rows = data.rows;
  if (!rows.every((row) => row.weakResponse !== undefined)) {
    throw new Error(`--cascade needs the weak model's answers: a "${data.weakModel}_response" column`);
  }
  const routerScores = scoreOutcomeRows(classifier, rows);
  const flagged = rows.map(
    (row) => runVerifiers(verifiers, row.prompt, row.weakResponse as string) !== undefined,
  );
  const scores = routerScores.map((score, index) => (flagged[index] ? 1 : 0) + score * 0.999);
  const report = evaluateOutcomeRouting(rows, scores);
  const n = rows.length;
  const escalated = flagged.filter(Boolean).length;
  const quality =
    rows.reduce(
      (sum, row, index) => sum + ((flagged[index] ? row.strongCorrect : row.weakCorrect) ? 1 : 0),
      0,
    ) / n;
  const gap = report.strongAccuracy - report.weakAccuracy;
  const stats: Record<string, VerifierStats> = {};
  for (const verifier of verifiers) stats[verifier.name] = measureVerifier(verifier, rows);
  return {
    ...report,
    weakCalls: n,
    verifierOnly: {
      strongShare: round(escalated / n),
      quality: round(quality),
      pgr: round(gap === 0 ? 0 : (quality - report.weakAccuracy) / gap),
    },
    verifiers: stats,
  };
}

function measureVerifier(verifier: Verifier, rows: readonly OutcomeRow[]): VerifierStats {
  let flagged = 0;
  let wrong = 0;
  let wrongCaught = 0;
  let right = 0;
  let rightFlagged = 0;
  for (const row of rows) {
    const failed = !verifier.verify(row.prompt, row.weakResponse ?? '').pass;
    if (failed) flagged += 1;
    if (row.weakCorrect) {
      right += 1;
      if (failed) rightFlagged += 1;
    } else {
      wrong += 1;
      if (failed) wrongCaught += 1;
    }
  }
  return {
    flagged,
    weakWrongCaught: round(wrong ? wrongCaught / wrong : 0),
    weakRightFlagged: round(right ? rightFlagged / right : 0),
  };
}

/** Intent data: accuracy and macro-F1, plus in-scope accuracy and out-of-scope recall when present. */
export function evaluateIntentModel(
  classifier: TextClassifier,
  data: IntentData,
): IntentReport & { predicted: string[] } {
  const predicted = data.examples.map(
    (example) => classifier.predict(example.text, example.categories).label,
  );
  const report = evaluateIntents(
    data.examples.map((example) => example.label),
    predicted,
    data.outOfScopeLabel && classifier.labels.includes(data.outOfScopeLabel)
      ? data.outOfScopeLabel
      : undefined,
  );
  return { ...report, predicted };
}
