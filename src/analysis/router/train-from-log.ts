import type { TextClassifier, TextClassifierFile } from '../../routing/index.js';
import type { LogOutcomeRow } from '../log/build-log-outcomes.js';
import { calibrateThreshold } from './calibrate-threshold.js';
import { assignFolds } from './cross-validate.js';
import { evaluateOutcomeRouting } from './evaluate-outcome-routing.js';
import { OUTCOME_LABELS } from './label-outcome.js';
import { convertOutcomesToExamples, type OutcomeRow } from './read-router-data.js';
import { createTrainingSettings } from './router-training-defaults.js';
import { scoreOutcomeRows } from './score-outcomes.js';
import { trainTextClassifier } from './train-text-classifier.js';

/** The share of the log, newest first, that measures a model trained on the rest. */
export const HELD_OUT_SHARE = 0.2;
/** The quality the operating point is set for: this share of the small-large gap recovered. */
const TARGET_PGR = 0.95;

/** A routing policy's place on the cost-quality plane, over the held-out slice. */
export interface PolicyPoint {
  /** Share of requests sent to the large model (the cost). */
  largeShare: number;
  /** Share of requests answered right by the model each went to. */
  quality: number;
}

/** How a strong-needed model routes the newest slice of the log, beside the two fixed policies. */
export interface LogRoutingReport {
  heldOut: { n: number; from: string; to: string };
  trainedOn: number;
  alwaysSmall: PolicyPoint;
  alwaysLarge: PolicyPoint;
  router: PolicyPoint & {
    /** Area under the share of the gap recovered over the large-model share (0.5: random). */
    apgr: number;
    /** Smallest large-model share that recovers 80% and 95% of the gap. */
    cpt80: number;
    cpt95: number;
    /** The `complexity` threshold set on the older slice, and the point it gives on this one. */
    threshold: number;
    pgr: number;
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The rows in time order, split into the older part and the newest `HELD_OUT_SHARE`. */
export function splitByTime<Row extends { startedAt: number }>(
  rows: readonly Row[],
): { older: Row[]; newest: Row[] } {
  const sorted = [...rows].sort((a, b) => a.startedAt - b.startedAt);
  const cut = sorted.length - Math.max(1, Math.round(sorted.length * HELD_OUT_SHARE));
  return { older: sorted.slice(0, cut), newest: sorted.slice(cut) };
}

/**
 * A router's scores (the policy's `complexity`) measured on the newest slice: its cost-quality
 * curve (APGR, CPT) and the point of the threshold set on the older slice's scores (the one a
 * routing rule would use), against sending everything to the small model and everything to the
 * large one. The older slice's scores should be out of sample, or the threshold is set on a
 * confidence the model shows only on rows it trained on.
 */
export function evaluateOnLog(
  older: { rows: readonly LogOutcomeRow[]; scores: readonly number[] },
  newest: { rows: readonly LogOutcomeRow[]; scores: readonly number[] },
): LogRoutingReport {
  if (older.rows.length === 0 || newest.rows.length === 0)
    throw new Error('the log holds too few labelled requests to keep a held-out slice');
  const calibration = calibrateThreshold(older.rows, older.scores, { quality: TARGET_PGR });
  const { scores } = newest;
  const curve = evaluateOutcomeRouting(newest.rows, scores);
  const n = newest.rows.length;
  let large = 0;
  let right = 0;
  newest.rows.forEach((row, index) => {
    const toLarge = (scores[index] as number) > calibration.threshold;
    large += toLarge ? 1 : 0;
    right += (toLarge ? row.strongCorrect : row.weakCorrect) ? 1 : 0;
  });
  const quality = right / n;
  const gap = curve.strongAccuracy - curve.weakAccuracy;
  const time = (row: LogOutcomeRow | undefined) => new Date(row?.startedAt ?? 0).toISOString();
  return {
    heldOut: { n, from: time(newest.rows[0]), to: time(newest.rows.at(-1)) },
    trainedOn: older.rows.length,
    alwaysSmall: { largeShare: 0, quality: curve.weakAccuracy },
    alwaysLarge: { largeShare: 1, quality: curve.strongAccuracy },
    router: {
      largeShare: round(large / n),
      quality: round(quality),
      apgr: curve.apgr,
      cpt80: curve.cpt80,
      cpt95: curve.cpt95,
      threshold: calibration.threshold,
      pgr: gap === 0 ? 0 : round((quality - curve.weakAccuracy) / gap),
    },
  };
}

/**
 * Training settings for outcome data of any size: those of the shipped model, with enough epochs
 * that a small log gets as many updates as the shipped data does in its three.
 */
function settingsFor(count: number) {
  const settings = createTrainingSettings('outcomes');
  const epochs = Math.min(40, Math.max(settings.epochs, Math.ceil(30_000 / Math.max(1, count))));
  return { ...settings, epochs, labels: [...OUTCOME_LABELS], categoricalColumns: [] };
}

/** Trains the strong-needed model on outcome rows (and `mix`, rows of other data). */
export function trainOutcomeModel(
  rows: readonly OutcomeRow[],
  options: { mix?: readonly OutcomeRow[]; source: string; seed?: number },
): { file: TextClassifierFile; classifier: TextClassifier } {
  const all = [...rows, ...(options.mix ?? [])];
  const examples = convertOutcomesToExamples({ kind: 'outcomes', weakModel: '', strongModel: '', rows: all });
  const settings = settingsFor(all.length);
  return trainTextClassifier(examples, {
    ...settings,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    source: options.source,
    format: 'request-log',
  });
}

/**
 * Each row's score from a model that did not train on it (five folds; `mix` rows train every
 * fold), for setting a threshold that holds on new requests.
 */
export function crossValidateScores(
  rows: readonly OutcomeRow[],
  options: { mix?: readonly OutcomeRow[]; source: string; seed?: number },
): number[] {
  const folds = Math.min(5, rows.length);
  const fold = assignFolds(rows.length, folds, options.seed ?? createTrainingSettings('outcomes').seed);
  const scores = new Array<number>(rows.length).fill(0);
  for (let k = 0; k < folds; k += 1) {
    const { classifier } = trainOutcomeModel(
      rows.filter((_, index) => fold[index] !== k),
      options,
    );
    const held = rows.flatMap((_, index) => (fold[index] === k ? [index] : []));
    const heldScores = scoreOutcomeRows(
      classifier,
      held.map((index) => rows[index] as OutcomeRow),
    );
    held.forEach((index, position) => {
      scores[index] = heldScores[position] as number;
    });
  }
  return scores;
}

/**
 * The strong-needed model trained on the log: measured first by a model trained on all but the
 * newest slice (`evaluateOnLog`), then trained on every row; the measurement goes in the file.
 */
export function trainFromLog(
  rows: readonly LogOutcomeRow[],
  options: { mix?: readonly OutcomeRow[]; source: string; seed?: number },
): { file: TextClassifierFile; classifier: TextClassifier; report: LogRoutingReport } {
  const { older, newest } = splitByTime(rows);
  const measured = trainOutcomeModel(older, options);
  const report = evaluateOnLog(
    { rows: older, scores: crossValidateScores(older, options) },
    { rows: newest, scores: scoreOutcomeRows(measured.classifier, newest) },
  );
  const trained = trainOutcomeModel(rows, options);
  const metrics = {
    method: `trained on the older ${100 - HELD_OUT_SHARE * 100}% of the log, measured on the newest ${HELD_OUT_SHARE * 100}%`,
    ...report,
  };
  return { file: { ...trained.file, metrics }, classifier: trained.classifier, report };
}
