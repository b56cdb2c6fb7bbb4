import type { Command } from 'commander';
import { BUILT_IN_PRICES_CHECKED, findBuiltInPrice } from '../accounting/index.js';
import { computeRoi, HOURS_PER_MONTH } from '../analysis/index.js';
import type { TokenPrice } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { formatNumber, formatTable, formatUsd } from './format-table.js';

interface RoiOptions {
  requestsPerMonth: string;
  inputTokens: string;
  outputTokens: string;
  llm: string;
  llmPrice?: string;
  slmShare: string;
  slmMonthlyUsd?: string;
  slmHourlyUsd?: string;
  capex: string;
  json?: boolean;
}

function readNonNegative(value: string, flag: string): number {
  const number = Number(value.replace(/_/g, ''));
  if (!Number.isFinite(number) || number < 0)
    throw new UsageError(`${flag} must be a number of at least 0 (got "${value}")`);
  return number;
}

function resolvePrice(options: RoiOptions): { price: TokenPrice; source: string } {
  if (options.llmPrice) {
    const [input, output, extra] = options.llmPrice.split(',');
    if (input === undefined || output === undefined || extra !== undefined) {
      throw new UsageError(
        `--llm-price takes "INPUT,OUTPUT" in USD per million tokens (got "${options.llmPrice}")`,
      );
    }
    return {
      price: {
        inputPerMillion: readNonNegative(input, '--llm-price'),
        outputPerMillion: readNonNegative(output, '--llm-price'),
      },
      source: '--llm-price',
    };
  }
  const price = findBuiltInPrice(options.llm);
  if (!price) {
    throw new UsageError(
      `no built-in price for "${options.llm}"; give --llm-price INPUT,OUTPUT (USD per million tokens)`,
    );
  }
  return { price, source: `built-in table (checked ${BUILT_IN_PRICES_CHECKED})` };
}

/** `switchyard roi`: monthly cost all-LLM vs hybrid, savings, payback and break-even volume. */
export function registerRoiCommand(program: Command, dependencies: CliDependencies): void {
  program
    .command('roi')
    .description('Monthly cost of all-LLM vs hybrid serving, savings, payback and break-even volume.')
    .requiredOption('--requests-per-month <n>', 'requests per month')
    .requiredOption('--input-tokens <n>', 'input tokens per request (average)')
    .requiredOption('--output-tokens <n>', 'output tokens per request (average)')
    .requiredOption('--llm <model>', 'the LLM used today (priced from the built-in table)')
    .option('--llm-price <in,out>', 'USD per million input and output tokens (overrides the table)')
    .requiredOption('--slm-share <share>', 'share of requests the small model would serve, 0..1')
    .option('--slm-monthly-usd <usd>', 'monthly cost of running the small model')
    .option('--slm-hourly-usd <usd>', `hourly cost of its machine (× ${HOURS_PER_MONTH} hours a month)`)
    .option('--capex <usd>', 'one-off hardware or setup cost', '0')
    .option('--json', 'print one JSON object on stdout')
    .action((options: RoiOptions) => {
      if (options.slmMonthlyUsd !== undefined && options.slmHourlyUsd !== undefined) {
        throw new UsageError('give --slm-monthly-usd or --slm-hourly-usd, not both');
      }
      const slmShare = readNonNegative(options.slmShare, '--slm-share');
      if (slmShare > 1) throw new UsageError(`--slm-share is a share between 0 and 1 (got ${slmShare})`);
      const { price, source } = resolvePrice(options);
      const slmMonthlyUsd =
        options.slmHourlyUsd !== undefined
          ? readNonNegative(options.slmHourlyUsd, '--slm-hourly-usd') * HOURS_PER_MONTH
          : readNonNegative(options.slmMonthlyUsd ?? '0', '--slm-monthly-usd');
      const report = computeRoi({
        requestsPerMonth: readNonNegative(options.requestsPerMonth, '--requests-per-month'),
        inputTokensPerRequest: readNonNegative(options.inputTokens, '--input-tokens'),
        outputTokensPerRequest: readNonNegative(options.outputTokens, '--output-tokens'),
        llmPrice: price,
        slmShare,
        slmMonthlyUsd,
        capexUsd: readNonNegative(options.capex, '--capex'),
      });
      if (options.json) {
        dependencies.stdout.write(
          `${JSON.stringify({ ...report, llm: options.llm, llmPrice: price, priceSource: source, slmMonthlyUsd })}\n`,
        );
        return;
      }
      dependencies.stdout.write(
        `${formatTable([
          ['', 'per month'],
          ['All-LLM', formatUsd(report.llmOnlyMonthlyUsd)],
          ['Hybrid', formatUsd(report.hybridMonthlyUsd)],
          ['Savings', `${formatUsd(report.monthlySavingsUsd)} (${formatNumber(report.savingsPct)}%)`],
        ])}\n\nPayback: ${report.paybackMonths === null ? 'never (no savings)' : `${formatNumber(report.paybackMonths)} months`}\nBreak-even volume: ${report.breakEvenRequestsPerMonth === null ? 'n/a' : `${formatNumber(report.breakEvenRequestsPerMonth)} requests a month`}\nLLM price: ${options.llm} at $${price.inputPerMillion} / $${price.outputPerMillion} per million tokens (${source})\n`,
      );
    });
}
