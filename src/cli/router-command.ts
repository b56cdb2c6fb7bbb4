import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  buildOutcomePlot,
  calibrateThreshold,
  createTrainingSettings,
  type DataPurpose,
  evaluateCascade,
  evaluateIntentModel,
  evaluateOutcomeModel,
  type IntentData,
  type OutcomeData,
  plotBarsSvg,
  ROUTER_DATA_FORMATS,
  type RouterDataFormat,
  readRouterData,
  scoreOutcomeRows,
  trainRouterModel,
} from '../analysis/index.js';
import { UsageError } from '../errors/index.js';
import { loadTextClassifier, type TextClassifier, VERIFIERS, type Verifier } from '../routing/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { createProgressBar } from './progress-bar.js';
import { describeLogOptions, type LogOptions } from './read-log-outcomes.js';
import {
  calibrateComplexityOnLog,
  calibrateOutOfScope,
  evaluateRouterOnLog,
  trainRouterFromLog,
} from './router-log-commands.js';

interface DataOptions extends LogOptions {
  fromLog?: boolean;
  data: string;
  format: string;
  split?: string;
  weak?: string;
  strong?: string;
  json?: boolean;
}

function readFormat(value: string): RouterDataFormat {
  if (!(ROUTER_DATA_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--format must be one of ${ROUTER_DATA_FORMATS.join(', ')} (got "${value}")`);
  }
  return value as RouterDataFormat;
}

async function loadData(options: DataOptions, purpose: DataPurpose): Promise<OutcomeData | IntentData> {
  if (!options.data || !options.format) throw new UsageError('give --data and --format, or --from-log');
  const format = readFormat(options.format);
  try {
    return await readRouterData(options.data, format, {
      purpose,
      ...(options.split ? { splits: options.split.split(',').map((key) => key.trim()) } : {}),
      ...(options.weak ? { weak: options.weak } : {}),
      ...(options.strong ? { strong: options.strong } : {}),
    });
  } catch (error) {
    throw new UsageError(`cannot read ${options.data} as ${format}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The CLINC150 keys that were read, for the printed report (the defaults depend on the file). */
function splitsOf(data: OutcomeData | IntentData): { splits?: string[] } {
  return data.kind === 'intent' && data.splits ? { splits: data.splits } : {};
}

function loadModel(path: string): TextClassifier {
  try {
    return loadTextClassifier(path);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

function readVerifiers(list: string): Verifier[] {
  return list.split(',').map((name) => {
    const verifier = VERIFIERS[name.trim()];
    if (!verifier)
      throw new UsageError(`unknown verifier "${name}" (known: ${Object.keys(VERIFIERS).join(', ')})`);
    return verifier;
  });
}

function readNumber(value: string, name: string): number {
  const number = Number(value);
  if (!Number.isFinite(number)) throw new UsageError(`${name} must be a number (got "${value}")`);
  return number;
}

/** A count given on the command line: a whole number of at least 1. */
function readCount(value: string, name: string): number {
  const number = readNumber(value, name);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${name} must be a whole number of at least 1 (got "${value}")`);
  return number;
}

function print(
  dependencies: CliDependencies,
  json: boolean | undefined,
  value: Record<string, unknown>,
  summary: string,
): void {
  dependencies.stdout.write(json ? `${JSON.stringify(value)}\n` : `${summary}\n`);
}

function addDataOptions(command: Command): Command {
  for (const [flags, description] of describeLogOptions()) command.option(flags, description);
  return command
    .option('--data <file>', 'training or evaluation data (or --from-log)')
    .option('--format <format>', `data format: ${ROUTER_DATA_FORMATS.join('|')}`)
    .option(
      '--split <keys>',
      'clinc150: comma-separated keys to read (default: all; in a file with test keys, train reads the others and eval only those)',
    )
    .option('--weak <column>', 'outcomes: the weak model column (default: the less accurate one)')
    .option('--strong <column>', 'outcomes: the strong model column')
    .option('--json', 'print one JSON object on stdout');
}

/** `switchyard router train|eval|calibrate`: the router's classifiers, trained and measured offline. */
export function registerRouterCommand(program: Command, dependencies: CliDependencies): void {
  const router = program
    .command('router')
    .description('Train, evaluate and calibrate the router classifiers.');

  addDataOptions(router.command('train').description('Train a model file from labelled data.'))
    .requiredOption('--out <file>', 'where to write the model (JSON)')
    .option('--cv <folds>', 'measure by k-fold cross-validation (default: one held-out fifth)', '0')
    .option('--epochs <n>', 'training epochs (default per format)')
    .option('--seed <n>', 'random seed (same data and seed: same model)')
    .option('--max-weights <n>', 'keep at most this many weights (smaller files)')
    .option(
      '--max-chars <n>',
      'read only the first n characters of each text (models trained on short texts, such as intents)',
    )
    .option(
      '--max-weights-per-row <n>',
      'each feature keeps at most this many label weights, then training refits (faster decisions with many labels)',
    )
    .option('--mix <files>', 'with --from-log: outcome CSVs to train on too (e.g. the shipped data)')
    .action(
      async (
        options: DataOptions & {
          out: string;
          cv: string;
          epochs?: string;
          seed?: string;
          maxWeights?: string;
          maxWeightsPerRow?: string;
          maxChars?: string;
          mix?: string;
        },
      ) => {
        if (options.fromLog) {
          await trainRouterFromLog(dependencies, options);
          return;
        }
        const data = await loadData(options, 'train');
        const format = readFormat(options.format);
        const progress = createProgressBar(dependencies.stderr);
        const started = performance.now();
        const { file } = trainRouterModel(data, {
          format,
          source: options.data,
          folds: readNumber(options.cv, '--cv'),
          overrides: {
            ...(options.epochs ? { epochs: readCount(options.epochs, '--epochs') } : {}),
            ...(options.seed ? { seed: readNumber(options.seed, '--seed') } : {}),
            ...(options.maxWeights ? { maxWeights: readCount(options.maxWeights, '--max-weights') } : {}),
            ...(options.maxWeightsPerRow
              ? { maxWeightsPerRow: readCount(options.maxWeightsPerRow, '--max-weights-per-row') }
              : {}),
            ...(options.maxChars
              ? {
                  features: {
                    ...createTrainingSettings(format).features,
                    maxChars: readCount(options.maxChars, '--max-chars'),
                    tailChars: 0,
                  },
                }
              : {}),
          },
          onProgress: (fraction, stage) => progress.update(fraction, stage),
        });
        progress.done();
        const text = `${JSON.stringify(file)}\n`;
        await writeFile(options.out, text);
        const seconds = Math.round((performance.now() - started) / 100) / 10;
        print(
          dependencies,
          options.json,
          {
            out: options.out,
            labels: file.labels.length,
            examples: file.training.examples,
            bytes: text.length,
            seconds,
            ...splitsOf(data),
            metrics: file.metrics,
          },
          `Wrote ${options.out} (${file.labels.length} labels, ${file.training.examples} examples, ${(text.length / 1e6).toFixed(2)} MB) in ${seconds} s.\nHeld-out metrics (${String(file.metrics.method)}): ${JSON.stringify(file.metrics)}`,
        );
      },
    );

  addDataOptions(router.command('eval').description('Measure a model on labelled data.'))
    .option(
      '--model <file>',
      'a model written by router train (with --from-log: default one trained on the older slice)',
    )
    .option('--cascade', 'outcomes: the weak model answers first and verifiers decide escalation')
    .option('--verifiers <names>', 'verifiers for --cascade', Object.keys(VERIFIERS).join(','))
    .option('--plot <file>', 'write an SVG: the cost-quality curve, or per-label recall for intents')
    .action(
      async (
        options: DataOptions & { model?: string; cascade?: boolean; verifiers: string; plot?: string },
      ) => {
        if (options.fromLog) {
          await evaluateRouterOnLog(dependencies, options);
          return;
        }
        if (!options.model) throw new UsageError('give --model (or --from-log)');
        const classifier = loadModel(options.model);
        const data = await loadData(options, 'eval');
        if (data.kind === 'outcomes') {
          if (!classifier.labels.includes('strong-only')) {
            throw new UsageError(
              `${options.model} is not an outcome model (labels: ${classifier.labels.slice(0, 5).join(', ')}, ...)`,
            );
          }
          const report = options.cascade
            ? evaluateCascade(classifier, data, readVerifiers(options.verifiers))
            : evaluateOutcomeModel(classifier, data);
          if (options.plot) {
            await writeFile(
              options.plot,
              buildOutcomePlot(
                `${options.data}: APGR ${report.apgr}`,
                data.rows,
                scoreOutcomeRows(classifier, data.rows),
              ),
            );
          }
          // Which columns were taken as weak and strong: by default the less accurate one on this
          // file is the weak model, so a reader of the numbers should see the choice.
          const columns = { weakModel: data.weakModel, strongModel: data.strongModel };
          const { curve: _curve, ...summary } = report;
          print(
            dependencies,
            options.json,
            { ...columns, ...report },
            `${JSON.stringify({ ...columns, ...summary }, null, 2)}`,
          );
          return;
        }
        if (options.cascade) throw new UsageError('--cascade needs outcome data (--format outcomes)');
        const { predicted, ...measured } = evaluateIntentModel(classifier, data);
        const report = { ...measured, ...splitsOf(data) };
        if (options.plot) {
          const recall = new Map<string, [number, number]>();
          data.examples.forEach((example, index) => {
            const [hit, total] = recall.get(example.label) ?? [0, 0];
            recall.set(example.label, [hit + (predicted[index] === example.label ? 1 : 0), total + 1]);
          });
          const bars = [...recall]
            .map(([label, [hit, total]]) => ({ label, value: hit / total }))
            .sort((a, b) => a.value - b.value)
            .slice(0, 25);
          await writeFile(
            options.plot,
            plotBarsSvg({ title: `${options.data}: the 25 labels with the lowest recall`, bars }),
          );
        }
        print(dependencies, options.json, { ...report }, JSON.stringify(report, null, 2));
      },
    );

  const calibrate = router
    .command('calibrate')
    .description(
      "Find the complexity threshold that meets a target on outcome data, or set an in-scope model's out-of-scope threshold.",
    )
    .requiredOption('--model <file>', 'an outcome model, or an in-scope model with --target-oos-recall')
    .option('--data <file>', 'outcome data, or intent data (clinc150) with --target-oos-recall')
    .option('--format <format>', 'data format', 'outcomes')
    .option('--split <keys>', 'clinc150: the keys to calibrate on (keep them out of training)')
    .option('--target-oos-recall <share>', 'in-scope model: the share of out-of-scope requests to catch')
    .option('--out <file>', 'with --target-oos-recall: write the model with its new operating point')
    .option('--target-strong-share <share>', 'share of requests to send to the strong model, 0..1')
    .option('--target-quality <pgr>', 'share of the weak-strong quality gap to recover, 0..1')
    .option('--strong-model <name>', 'the model name to put in the printed rule', 'cloud')
    .option('--weak <column>', 'the weak model column')
    .option('--strong <column>', 'the strong model column')
    .option('--json', 'print one JSON object on stdout');
  for (const [flags, description] of describeLogOptions()) calibrate.option(flags, description);
  calibrate.action(
    async (
      options: DataOptions & {
        model: string;
        targetStrongShare?: string;
        targetQuality?: string;
        targetOosRecall?: string;
        out?: string;
        strongModel: string;
      },
    ) => {
      if (options.targetOosRecall !== undefined) {
        await calibrateOutOfScope(dependencies, { ...options, targetOosRecall: options.targetOosRecall });
        return;
      }
      if ((options.targetStrongShare === undefined) === (options.targetQuality === undefined)) {
        throw new UsageError('give exactly one of --target-strong-share and --target-quality');
      }
      const target =
        options.targetStrongShare !== undefined
          ? { strongShare: readNumber(options.targetStrongShare, '--target-strong-share') }
          : { quality: readNumber(options.targetQuality as string, '--target-quality') };
      if (options.fromLog) {
        await calibrateComplexityOnLog(dependencies, { ...options, target });
        return;
      }
      const classifier = loadModel(options.model);
      const data = await loadData(options, 'eval');
      if (data.kind !== 'outcomes') throw new UsageError('calibrate needs outcome data (--format outcomes)');
      const calibration = calibrateThreshold(
        data.rows,
        scoreOutcomeRows(classifier, data.rows),
        target,
        options.strongModel,
      );
      print(
        dependencies,
        options.json,
        { ...calibration },
        `threshold ${calibration.threshold}: ${(calibration.strongShare * 100).toFixed(1)}% of requests to the strong model, quality ${calibration.quality}, PGR ${calibration.pgr}\nrouting:\n  rules:\n    ${calibration.rule}`,
      );
    },
  );
}
