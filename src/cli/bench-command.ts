import { join } from 'node:path';
import type { Command } from 'commander';
import { PriceBook } from '../accounting/index.js';
import {
  type BenchReport,
  computeAgreement,
  openFileBenchCache,
  readBenchDataset,
  runBench,
  SCORERS,
  type Scorer,
  summarizeModel,
  writeBenchReport,
} from '../analysis/index.js';
import { UsageError } from '../errors/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { formatNumber, formatTable } from './format-table.js';
import { createProgressBar } from './progress-bar.js';

interface BenchOptions {
  dataset: string;
  models: string;
  config?: string;
  scorer: string;
  concurrency: string;
  out?: string;
  json?: boolean;
}

/** `switchyard bench`: candidate models on your own labelled prompts, through the gateway's providers. */
export function registerBenchCommand(program: Command, dependencies: CliDependencies): void {
  program
    .command('bench')
    .description('Benchmark models on labelled prompts: accuracy, latency, throughput, cost.')
    .requiredOption(
      '--dataset <file>',
      'JSONL ({"prompt" or "messages", "expected"}) or CSV (prompt, expected)',
    )
    .requiredOption('--models <names>', 'comma-separated model names from the config')
    .option('-c, --config <file>', 'config that defines the models (default: SWITCHYARD_CONFIG or built-in)')
    .option('--scorer <scorer>', `how answers are judged: ${SCORERS.join('|')}`, 'contains')
    .option('--concurrency <n>', 'requests in flight per model', '4')
    .option('--out <dir>', 'write report.md, report.html and results.jsonl (and keep the resume cache) here')
    .option('--json', 'print one JSON object on stdout')
    .action(async (options: BenchOptions) => {
      if (!(SCORERS as readonly string[]).includes(options.scorer)) {
        throw new UsageError(`--scorer must be one of ${SCORERS.join(', ')} (got "${options.scorer}")`);
      }
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new UsageError(`--concurrency must be a positive integer (got "${options.concurrency}")`);
      const { config } = await dependencies.loadConfig(options.config);
      const names = options.models
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      const unknown = names.filter((name) => !config.models[name]);
      if (names.length === 0 || unknown.length > 0) {
        throw new UsageError(
          `unknown model${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (configured: ${Object.keys(config.models).join(', ')})`,
        );
      }
      const items = await readBenchDataset(options.dataset).catch((error: unknown) => {
        throw new UsageError(`cannot read ${options.dataset}: ${(error as Error).message}`);
      });
      const cache = openFileBenchCache(join(options.out ?? '.switchyard', 'bench-cache.jsonl'));
      const models = await dependencies.createChatModels(config, names);
      const progress = createProgressBar(dependencies.stderr);
      let byModel: Awaited<ReturnType<typeof runBench>>;
      try {
        byModel = await runBench({
          items,
          models: names.map((name) => ({
            model: models.get(name) as NonNullable<ReturnType<typeof models.get>>,
            identity: JSON.stringify([name, config.models[name]]),
          })),
          scorer: options.scorer as Scorer,
          concurrency,
          priceBook: new PriceBook({ models: config.models }),
          cache,
          onProgress: (done, total) => progress.update(done / total, `${done}/${total} answers`),
        });
      } finally {
        progress.done();
        await Promise.allSettled([...models.values()].map((model) => model.close()));
      }
      const report: BenchReport = {
        dataset: options.dataset,
        scorer: options.scorer,
        items: items.length,
        models: Object.fromEntries([...byModel].map(([name, results]) => [name, summarizeModel(results)])),
        agreement: computeAgreement(byModel),
      };
      if (options.out) await writeBenchReport(options.out, report, byModel);
      if (options.json) {
        dependencies.stdout.write(`${JSON.stringify({ ...report, cachedResults: cache.reused })}\n`);
        return;
      }
      const table = [
        [
          'model',
          'accuracy',
          '95% CI',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'TTFT p50',
          'tok/s',
          'errors',
          '$ / 1k',
        ],
        ...Object.entries(report.models).map(([name, s]) => [
          name,
          `${(s.accuracy * 100).toFixed(1)}%`,
          `${(s.accuracyCi95[0] * 100).toFixed(1)}-${(s.accuracyCi95[1] * 100).toFixed(1)}%`,
          formatNumber(s.latencyMs.p50),
          formatNumber(s.latencyMs.p95),
          formatNumber(s.latencyMs.p99),
          formatNumber(s.ttftMs.p50),
          formatNumber(s.outputTokensPerSecond),
          formatNumber(s.errors),
          s.costPer1kUsd === null ? 'unknown' : s.costPer1kUsd.toFixed(4),
        ]),
      ];
      dependencies.stdout.write(
        `${formatTable(table)}\n${cache.reused > 0 ? `\n${cache.reused} results reused from the cache of an earlier run.` : ''}${options.out ? `\nReport: ${join(options.out, 'report.html')}` : ''}\n`,
      );
    });
}
