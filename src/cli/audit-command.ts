import type { Command } from 'commander';
import { PriceBook } from '../accounting/index.js';
import { auditTraffic, readTraffic, type TrafficFormat } from '../analysis/index.js';
import { UsageError } from '../errors/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { formatNumber, formatTable, formatUsd } from './format-table.js';

interface AuditOptions {
  input: string;
  format: string;
  textColumn?: string;
  config?: string;
  requestsPerMonth?: string;
  json?: boolean;
}

const FORMATS: TrafficFormat[] = ['jsonl', 'csv', 'switchyard-log'];

function share(count: number, total: number): string {
  return `${((count / Math.max(1, total)) * 100).toFixed(1)}%`;
}

/** `switchyard audit`: what share of existing traffic the routing policy would keep on the small model. */
export function registerAuditCommand(program: Command, dependencies: CliDependencies): void {
  program
    .command('audit')
    .description('Classify recorded traffic with the router and project the cost of hybrid serving.')
    .requiredOption('--input <file>', 'recorded traffic')
    .option('--format <format>', `input format: ${FORMATS.join('|')}`, 'jsonl')
    .option('--text-column <name>', 'csv: the column with the prompt')
    .option(
      '-c, --config <file>',
      'config whose routing policy and prices apply (default: SWITCHYARD_CONFIG or built-in)',
    )
    .option('--requests-per-month <n>', 'scale the projection to this monthly volume')
    .option('--json', 'print one JSON object on stdout')
    .action(async (options: AuditOptions) => {
      if (!(FORMATS as string[]).includes(options.format)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${options.format}")`);
      }
      const requestsPerMonth =
        options.requestsPerMonth === undefined ? undefined : Number(options.requestsPerMonth);
      if (requestsPerMonth !== undefined && !(requestsPerMonth > 0)) {
        throw new UsageError(
          `--requests-per-month must be a positive number (got "${options.requestsPerMonth}")`,
        );
      }
      const { config } = await dependencies.loadConfig(options.config);
      let entries: Awaited<ReturnType<typeof readTraffic>>;
      try {
        entries = await readTraffic(options.input, options.format as TrafficFormat, options.textColumn);
      } catch (error) {
        throw new UsageError(
          `cannot read ${options.input} as ${options.format}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const report = auditTraffic(entries, {
        config,
        classifier: dependencies.createTaskClassifier(config.routing),
        priceBook: new PriceBook({ models: config.models, baseline: config.routing.baseline }),
        ...(requestsPerMonth !== undefined ? { requestsPerMonth } : {}),
      });
      if (options.json) {
        dependencies.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      const sorted = (counts: Record<string, number>) => Object.entries(counts).sort((a, b) => b[1] - a[1]);
      const monthly = report.projectedMonthlyUsd;
      dependencies.stdout.write(
        [
          `${formatNumber(report.n)} requests; the policy keeps ${(report.slmShare * 100).toFixed(1)}% on local models; PII in ${formatNumber(report.piiRequests)}.`,
          '',
          formatTable([
            ['task type', 'requests', 'share'],
            ...sorted(report.byTaskType).map(([name, count]) => [
              name,
              formatNumber(count),
              share(count, report.n),
            ]),
          ]),
          '',
          formatTable([
            ['route', 'requests', 'share'],
            ...sorted(report.byRoute).map(([name, count]) => [
              name,
              formatNumber(count),
              share(count, report.n),
            ]),
          ]),
          '',
          formatTable([
            ['per month', 'USD'],
            ['all-LLM', formatUsd(monthly.llmOnly)],
            ['hybrid', formatUsd(monthly.hybrid)],
            ['savings', formatUsd(monthly.savings)],
          ]),
          '',
          `Tokens: ${formatNumber(report.inputTokens)} in, ${formatNumber(report.outputTokens)} out${report.missingOutputTokens > 0 ? ` (${formatNumber(report.missingOutputTokens)} requests recorded no output; counted as 0)` : ''}; scaled ×${formatNumber(report.scale)} to a month.`,
          '',
        ].join('\n'),
      );
    });
}
