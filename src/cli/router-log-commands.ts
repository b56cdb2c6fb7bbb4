import { readFile, writeFile } from 'node:fs/promises';
import {
  applyOutOfScopeCalibration,
  calibrateOutOfScopeOnData,
  calibrateOutOfScopeOnLog,
  calibrateThreshold,
  crossValidateScores,
  evaluateOnLog,
  HELD_OUT_SHARE,
  type IntentData,
  type LogOutcomeCounts,
  type LogRoutingReport,
  type OutcomeData,
  type OutcomeRow,
  readRouterData,
  scoreOutcomeRows,
  splitByTime,
  trainFromLog,
  trainOutcomeModel,
} from '../analysis/index.js';
import { UsageError } from '../errors/index.js';
import { loadTextClassifier, type TextClassifier, type TextClassifierFile } from '../routing/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { formatTable } from './format-table.js';
import { type LogOptions, readLogOutcomes } from './read-log-outcomes.js';

function loadModel(path: string): TextClassifier {
  try {
    return loadTextClassifier(path);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function describeEvidence(counts: LogOutcomeCounts, used: number): string {
  const parts = Object.entries(counts.byEvidence)
    .filter(([, count]) => count > 0)
    .map(([evidence, count]) => `${count} by ${evidence}`);
  return `${used} of ${counts.requests} logged requests judged (${parts.join(', ')}); ${counts.withoutContent} without a logged prompt, ${counts.withoutEvidence} without evidence.`;
}

/** The held-out comparison as a table, with the curve's summary under it. */
export function formatLogReport(report: LogRoutingReport, others: [string, LogRoutingReport][] = []): string {
  const { heldOut, router } = report;
  const rows = [
    ['policy', 'large-model share', 'quality', 'APGR'],
    ['always small', percent(0), report.alwaysSmall.quality.toFixed(3), ''],
    ['always large', percent(1), report.alwaysLarge.quality.toFixed(3), ''],
    [
      `router (complexity > ${router.threshold})`,
      percent(router.largeShare),
      router.quality.toFixed(3),
      router.apgr.toFixed(3),
    ],
    ...others.map(([name, other]) => [
      `${name} (complexity > ${other.router.threshold})`,
      percent(other.router.largeShare),
      other.router.quality.toFixed(3),
      other.router.apgr.toFixed(3),
    ]),
  ];
  return [
    `Held out: the newest ${HELD_OUT_SHARE * 100}% of the log, ${heldOut.n} requests (${heldOut.from} to ${heldOut.to}); trained and thresholds set on the older ${report.trainedOn}.`,
    formatTable(rows),
    `The router recovers ${percent(router.pgr)} of the quality gap between the small and the large model with ${percent(router.largeShare)} of requests on the large one (APGR ${router.apgr}, random routing 0.5; 95% of the gap at ${percent(router.cpt95)}).`,
  ].join('\n');
}

async function readMix(list: string | undefined): Promise<OutcomeRow[]> {
  const rows: OutcomeRow[] = [];
  for (const file of list?.split(',').map((item) => item.trim()) ?? []) {
    try {
      const data = (await readRouterData(file, 'outcomes')) as OutcomeData;
      // The log's prompts carry no subject column: mixed rows are read as text alone too.
      for (const row of data.rows)
        rows.push({ prompt: row.prompt, weakCorrect: row.weakCorrect, strongCorrect: row.strongCorrect });
    } catch (error) {
      throw new UsageError(`cannot read ${file} as outcome data: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return rows;
}

/** `router train --from-log`: the strong-needed model trained on the deployment's own outcomes. */
export async function trainRouterFromLog(
  dependencies: CliDependencies,
  options: LogOptions & { out: string; mix?: string; seed?: string; json?: boolean },
): Promise<void> {
  const { rows, counts } = await readLogOutcomes(dependencies, options);
  const mix = await readMix(options.mix);
  const seed = options.seed === undefined ? undefined : Number(options.seed);
  const { file, report } = trainFromLog(rows, {
    mix,
    source: `request log${options.since ? ` (last ${options.since})` : ''}${mix.length ? ` + ${options.mix}` : ''}`,
    ...(seed !== undefined && Number.isFinite(seed) ? { seed } : {}),
  });
  const text = `${JSON.stringify(file)}\n`;
  await writeFile(options.out, text);
  if (options.json) {
    dependencies.stdout.write(
      `${JSON.stringify({ out: options.out, examples: file.training.examples, counts, report })}\n`,
    );
    return;
  }
  dependencies.stdout.write(
    `${[
      `Wrote ${options.out} (${file.training.examples} examples${mix.length ? `, ${mix.length} of them mixed in` : ''}). ${describeEvidence(counts, rows.length)}`,
      formatLogReport(report),
      `Use it: routing.classifier.complexity: ${options.out} (then SIGHUP or POST /admin/v1/router/reload).`,
    ].join('\n')}\n`,
  );
}

/**
 * `router eval --from-log`: on the newest slice of the log, a model given with `--model`, or one
 * trained on the older slice, beside the configured router and the two fixed policies.
 */
export async function evaluateRouterOnLog(
  dependencies: CliDependencies,
  options: LogOptions & { model?: string; json?: boolean },
): Promise<void> {
  const { config, rows, counts } = await readLogOutcomes(dependencies, options);
  const { older, newest } = splitByTime(rows);
  // A model given is scored as it is (its threshold set on its own scores of the older slice); one
  // trained here sets its threshold on out-of-sample scores, as `router train --from-log` does.
  const classifier = options.model
    ? loadModel(options.model)
    : trainOutcomeModel(older, { source: 'request log' }).classifier;
  const report = evaluateOnLog(
    {
      rows: older,
      scores: options.model
        ? scoreOutcomeRows(classifier, older)
        : crossValidateScores(older, { source: 'request log' }),
    },
    { rows: newest, scores: scoreOutcomeRows(classifier, newest) },
  );
  const configured = dependencies.createTaskClassifier(config.routing);
  const complexity = (part: readonly OutcomeRow[]) =>
    part.map((row) => configured.classify(row.prompt).complexity);
  const current = evaluateOnLog(
    { rows: older, scores: complexity(older) },
    { rows: newest, scores: complexity(newest) },
  );
  const name = options.model ? options.model : 'trained on the older slice';
  if (options.json) {
    dependencies.stdout.write(
      `${JSON.stringify({ model: name, counts, report, configuredRouter: current })}\n`,
    );
    return;
  }
  dependencies.stdout.write(
    `${describeEvidence(counts, rows.length)}\nRouter: ${name}.\n${formatLogReport(report, [['configured router', current]])}\n`,
  );
}

async function writeModel(path: string, file: TextClassifierFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(file)}\n`);
}

/**
 * `router calibrate --target-oos-recall`: the in-scope model's operating point, set on labelled
 * intent data (`--data`) or on the log (`--from-log`), written to `--out`.
 */
export async function calibrateOutOfScope(
  dependencies: CliDependencies,
  options: LogOptions & {
    model: string;
    targetOosRecall: string;
    fromLog?: boolean;
    data?: string;
    format?: string;
    split?: string;
    out?: string;
    json?: boolean;
  },
): Promise<void> {
  const target = Number(options.targetOosRecall);
  if (!(target > 0 && target <= 1))
    throw new UsageError(
      `--target-oos-recall must be a share above 0 and at most 1 (got "${options.targetOosRecall}")`,
    );
  const classifier = loadModel(options.model);
  let calibration: ReturnType<typeof calibrateOutOfScopeOnLog>;
  try {
    if (options.fromLog) {
      const { rows } = await readLogOutcomes(dependencies, options);
      calibration = calibrateOutOfScopeOnLog(classifier, rows, target, 'request log');
    } else {
      if (!options.data || options.format !== 'clinc150')
        throw new UsageError('--target-oos-recall needs --from-log, or --data with --format clinc150');
      const splits = options.split?.split(',').map((key) => key.trim());
      const data = (await readRouterData(options.data, 'clinc150', {
        purpose: 'eval',
        ...(splits ? { splits } : {}),
      })) as IntentData;
      calibration = calibrateOutOfScopeOnData(
        classifier,
        data,
        target,
        `${options.data} (${data.splits?.join(', ')})`,
      );
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message, { cause: error });
  }
  if (options.out) {
    const file = JSON.parse(await readFile(options.model, 'utf8')) as TextClassifierFile;
    await writeModel(options.out, applyOutOfScopeCalibration(file, calibration));
  }
  if (options.json) {
    dependencies.stdout.write(
      `${JSON.stringify({ ...calibration, ...(options.out ? { out: options.out } : {}) })}\n`,
    );
    return;
  }
  const measured =
    calibration.inScopeAccuracy !== undefined
      ? `in-scope accuracy ${calibration.inScopeAccuracy}`
      : `${percent(calibration.keptShare ?? 0)} of the requests the small model handled stay in scope`;
  dependencies.stdout.write(
    `minConfidence ${calibration.minConfidence}: out-of-scope recall ${calibration.oosRecall} (target ${target}), ${measured}, on ${calibration.n} rows of ${calibration.source}.\n${
      options.out
        ? `Wrote ${options.out}: use it as routing.classifier.inScope (then SIGHUP or POST /admin/v1/router/reload).`
        : 'Give --out FILE to write the model with this operating point.'
    }\n`,
  );
}

/** `router calibrate --from-log` with a complexity target: the threshold for the log's own outcomes. */
export async function calibrateComplexityOnLog(
  dependencies: CliDependencies,
  options: LogOptions & {
    model: string;
    target: { strongShare: number } | { quality: number };
    strongModel: string;
    json?: boolean;
  },
): Promise<void> {
  const classifier = loadModel(options.model);
  const { rows } = await readLogOutcomes(dependencies, options);
  const calibration = calibrateThreshold(
    rows,
    scoreOutcomeRows(classifier, rows),
    options.target,
    options.strongModel,
  );
  dependencies.stdout.write(
    options.json
      ? `${JSON.stringify(calibration)}\n`
      : `threshold ${calibration.threshold} on ${rows.length} logged requests: ${percent(calibration.strongShare)} to the large model, quality ${calibration.quality}, PGR ${calibration.pgr}\nrouting:\n  rules:\n    ${calibration.rule}\n`,
  );
}
