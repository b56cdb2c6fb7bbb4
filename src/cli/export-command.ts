import type { Command } from 'commander';
import {
  buildFinetuneDataset,
  type FeedbackFilter,
  type FinetuneFormat,
  type FinetuneSource,
  resolveModelRoles,
  writeFinetuneFiles,
} from '../analysis/index.js';
import type { SwitchyardConfig } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { readLog, readSince, refuseWithoutContent } from './read-log-outcomes.js';

interface ExportOptions {
  config?: string;
  since?: string;
  taskType?: string;
  feedback?: string;
  source: string;
  format: string;
  out: string;
  large?: string;
  validationShare: string;
  json?: boolean;
}

const SOURCES: FinetuneSource[] = ['large', 'demonstrations', 'both'];
const FORMATS: FinetuneFormat[] = ['openai', 'sharegpt'];

/** `correct=true,rating>=4`: each a declared metric, a comparison and a value of its type. */
export function readFeedbackFilters(text: string, config: SwitchyardConfig): FeedbackFilter[] {
  return text.split(',').map((part) => {
    const match = /^\s*([a-z][a-z0-9_]*)\s*(>=|<=|=|>|<)\s*(\S+)\s*$/.exec(part);
    if (!match) throw new UsageError(`--feedback takes metric=value or metric>=value, ... (got "${part}")`);
    const [, metric, operator, raw] = match as unknown as [
      string,
      string,
      FeedbackFilter['operator'],
      string,
    ];
    const declared = config.feedback.metrics[metric];
    if (!declared) {
      const names = Object.keys(config.feedback.metrics);
      throw new UsageError(
        `--feedback: "${metric}" is not a declared metric (feedback.metrics: ${names.join(', ') || 'none'})`,
      );
    }
    if (declared.type === 'boolean') {
      if ((raw !== 'true' && raw !== 'false') || operator !== '=')
        throw new UsageError(
          `--feedback: ${metric} is a boolean metric: write ${metric}=true or ${metric}=false`,
        );
      return { metric, operator, value: raw === 'true' ? 1 : 0 };
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new UsageError(`--feedback: ${metric} takes a number (got "${raw}")`);
    return { metric, operator, value };
  });
}

/** `switchyard export finetune`: fine-tuning data from the request log. */
export function registerExportCommand(program: Command, dependencies: CliDependencies): void {
  const exportCommand = program.command('export').description('Export data from the request log.');
  exportCommand
    .command('finetune')
    .description(
      "Write a fine-tuning dataset from the log: prompts with the large model's answers or demonstrations.",
    )
    .requiredOption(
      '--out <file>',
      'the training JSONL; the validation file and the manifest are written beside it',
    )
    .requiredOption('--format <format>', `line format: ${FORMATS.join('|')}`)
    .option('-c, --config <file>', 'the gateway config (its log, models and feedback metrics)')
    .option('--since <duration>', 'only requests of this recent period, e.g. 30d (default: all)')
    .option('--task-type <types>', 'only these task types, comma-separated')
    .option('--feedback <filters>', 'only requests whose feedback matches, e.g. correct=true or rating>=4')
    .option('--source <source>', `answers to learn: ${SOURCES.join('|')}`, 'large')
    .option(
      '--large <models>',
      'the large models whose answers are taught (default: escalation.to and cloud models)',
    )
    .option('--validation-share <share>', 'share of distinct prompts kept for validation', '0.1')
    .option('--json', 'print the manifest as one JSON object on stdout')
    .action(async (options: ExportOptions) => {
      if (!(FORMATS as string[]).includes(options.format))
        throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${options.format}")`);
      if (!(SOURCES as string[]).includes(options.source))
        throw new UsageError(`--source must be one of ${SOURCES.join(', ')} (got "${options.source}")`);
      const validationShare = Number(options.validationShare);
      if (!(validationShare >= 0 && validationShare < 1))
        throw new UsageError(
          `--validation-share must be at least 0 and below 1 (got "${options.validationShare}")`,
        );
      const { config } = await dependencies.loadConfig(options.config);
      refuseWithoutContent(config);
      const feedback = options.feedback ? readFeedbackFilters(options.feedback, config) : [];
      const large = options.large?.split(',').map((name) => name.trim());
      const roles = resolveModelRoles(config, large ? { large } : {});
      const taskTypes = options.taskType?.split(',').map((type) => type.trim());
      const log = await readLog(dependencies, config, readSince(options.since));
      const { examples, counts } = buildFinetuneDataset(log, {
        large: roles.large,
        source: options.source as FinetuneSource,
        ...(taskTypes ? { taskTypes } : {}),
        feedback,
        validationShare,
      });
      const filters = {
        since: options.since ?? null,
        taskTypes: taskTypes ?? null,
        feedback: options.feedback ?? null,
        source: options.source,
        largeModels: [...roles.large],
        validationShare,
      };
      const manifest = await writeFinetuneFiles(examples, counts, {
        out: options.out,
        format: options.format as FinetuneFormat,
        filters,
      });
      if (options.json) {
        dependencies.stdout.write(`${JSON.stringify(manifest)}\n`);
        return;
      }
      const { train, validation } = manifest.files;
      dependencies.stdout.write(
        `${[
          `Wrote ${train.examples} training examples to ${train.path} and ${validation.examples} to ${validation.path}; manifest beside them.`,
          `Of ${counts.requests} logged requests: ${counts.filteredOut} filtered out, ${counts.withoutContent} without a logged prompt, ${counts.withoutAnswer} without an answer to learn, ${counts.withTools} with tool turns, ${counts.duplicates} duplicates; ${counts.piiReplaced} PII matches replaced by their kind.`,
          `Content sha256 ${manifest.contentSha256}. Next: docs/finetune.md.`,
        ].join('\n')}\n`,
      );
    });
}
