import type { Command } from 'commander';
import { summarizeShadow } from '../analysis/index.js';
import { UsageError } from '../errors/index.js';
import { RolloutManager } from '../gateway/index.js';
import type { EvidenceStore } from '../storage/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { formatTable } from './format-table.js';

const SINCE_UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function readSince(text: string): number {
  const match = /^([1-9][0-9]{0,5})([mhd])$/.exec(text);
  if (!match) throw new UsageError(`--since takes a duration like 90m, 24h or 30d, not "${text}".`);
  return Date.now() - Number(match[1]) * SINCE_UNITS_MS[match[2] as keyof typeof SINCE_UNITS_MS];
}

async function withEvidence<T>(
  dependencies: CliDependencies,
  file: string | undefined,
  run: (evidence: EvidenceStore, manager: RolloutManager) => Promise<T>,
): Promise<T> {
  const { config } = await dependencies.loadConfig(file);
  const evidence = await dependencies.openEvidenceStore(config);
  const silent = { info() {}, warn() {}, error() {} } as unknown as ConstructorParameters<
    typeof RolloutManager
  >[0]['logger'];
  const manager = new RolloutManager({ rollouts: config.routing.rollout, evidence, logger: silent });
  try {
    return await run(evidence, manager);
  } finally {
    await evidence.close();
  }
}

const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);

/** `switchyard shadow report` and `switchyard rollout status|set|pause|resume`. */
export function registerMigrationLoopCommands(program: Command, dependencies: CliDependencies): void {
  const write = (text: string): void => {
    dependencies.stdout.write(text);
  };
  program
    .command('shadow')
    .description('Shadow traffic: how a second model compares on live requests.')
    .command('report')
    .option('--since <duration>', 'how far back, e.g. 90m, 24h, 30d', '24h')
    .option('--config <file>', 'config file naming the store')
    .option('--json', 'print JSON')
    .description(
      'Agreement per model pair, route and task type, with 95% intervals, savings and the worst disagreements.',
    )
    .action(async (flags: { since: string; config?: string; json?: boolean }) => {
      const since = readSince(flags.since);
      const report = await withEvidence(dependencies, flags.config, async (evidence) =>
        summarizeShadow(
          await evidence.summarizeShadow(since),
          await evidence.listDisagreements(since, 10),
          since,
        ),
      );
      if (flags.json) return write(`${JSON.stringify(report, null, 2)}\n`);
      write(
        formatTable([
          ['from', 'to', 'route', 'task type', 'pairs', 'agreement', '95% interval', 'savings USD'],
          ...report.rows.map((row) => [
            row.from,
            row.to,
            row.route ?? '-',
            row.taskType ?? '-',
            String(row.pairs),
            percent(row.agreement),
            row.interval ? `${percent(row.interval.low)}-${percent(row.interval.high)}` : '-',
            row.savingsUsd.toFixed(6),
          ]),
        ]),
      );
      if (report.worstDisagreements.length > 0) {
        write('\nWorst disagreements (lowest word overlap):\n');
        for (const entry of report.worstDisagreements) {
          write(
            `  ${entry.requestId}  ${entry.from} vs ${entry.to}  ${entry.taskType ?? '-'}  overlap ${entry.similarity}\n`,
          );
        }
      }
    });

  const rollout = program
    .command('rollout')
    .description("Gradual rollouts: shares of one model's traffic moved to another.");
  rollout
    .command('status')
    .option('--config <file>', 'config file naming the store')
    .option('--json', 'print JSON')
    .description("Each rollout's share and its recent changes with their causes.")
    .action(async (flags: { config?: string; json?: boolean }) => {
      const status = await withEvidence(dependencies, flags.config, async (evidence, manager) => {
        await manager.load();
        return Promise.all(
          manager.list().map(async ({ config, state }) => ({
            id: state?.id,
            from: config.from,
            to: config.to,
            share: state?.share,
            lastGoodShare: state?.lastGoodShare,
            paused: state?.paused,
            updatedAt: state ? new Date(state.updatedAt).toISOString() : null,
            events: await evidence.listRolloutEvents(state?.id, 10),
          })),
        );
      });
      if (flags.json) return write(`${JSON.stringify(status, null, 2)}\n`);
      for (const entry of status) {
        write(
          `${entry.id}: ${entry.from} -> ${entry.to} at ${percent(entry.share ?? null)}${entry.paused ? ' (paused)' : ''}, last good ${percent(entry.lastGoodShare ?? null)}\n`,
        );
        for (const event of entry.events) {
          write(
            `  ${new Date(event.at).toISOString()} ${event.cause} ${percent(event.fromShare)} -> ${percent(event.toShare)}${event.evidence ? ` ${JSON.stringify(event.evidence)}` : ''}\n`,
          );
        }
      }
    });
  rollout
    .command('set')
    .argument('<id>')
    .argument('<share>', 'a number from 0 to 1')
    .option('--config <file>', 'config file naming the store')
    .description("Set a rollout's share; every replica takes it within seconds.")
    .action(async (id: string, text: string, flags: { config?: string }) => {
      const share = Number(text);
      if (text.trim() === '' || !(share >= 0 && share <= 1))
        throw new UsageError(`A share is a number from 0 to 1, not "${text}".`);
      const state = await withEvidence(dependencies, flags.config, async (_, manager) => {
        await manager.load();
        return manager.set(id, share);
      });
      write(`${id}: share ${percent(state.share)}\n`);
    });
  for (const verb of ['pause', 'resume'] as const) {
    rollout
      .command(verb)
      .argument('<id>')
      .option('--config <file>', 'config file naming the store')
      .description(
        verb === 'pause'
          ? "Send every request back to the rollout's from-model until resumed."
          : 'Resume a paused rollout at its share.',
      )
      .action(async (id: string, flags: { config?: string }) => {
        const state = await withEvidence(dependencies, flags.config, async (_, manager) => {
          await manager.load();
          return manager[verb](id);
        });
        write(`${id}: ${state.paused ? 'paused' : 'running'} at ${percent(state.share)}\n`);
      });
  }
}
