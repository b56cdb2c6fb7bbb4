import {
  buildLogOutcomes,
  type LogOutcomeCounts,
  type LogOutcomeRow,
  resolveModelRoles,
} from '../analysis/index.js';
import type { SwitchyardConfig } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import type { FeedbackRecord, LoggedOutcome, LoggedShadowPair } from '../storage/index.js';
import type { CliDependencies } from './cli-dependencies.js';

/** Options every command that learns from the request log takes. */
export interface LogOptions {
  config?: string;
  since?: string;
  small?: string;
  large?: string;
  feedbackMetric?: string;
}

const DURATION_UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h` or `90m` back from `now`, as epoch ms; everything when not given. */
export function readSince(since: string | undefined, now = Date.now()): number {
  if (since === undefined) return 0;
  const match = /^([1-9][0-9]{0,5})([mhd])$/.exec(since);
  if (!match) throw new UsageError(`--since takes a duration like 30d, 12h or 90m (got "${since}")`);
  return now - Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number);
}

function readList(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

/** The request log the config names, read whole (from `--since` on). */
export async function readLog(
  dependencies: CliDependencies,
  config: SwitchyardConfig,
  since: number,
): Promise<{ outcomes: LoggedOutcome[]; shadowPairs: LoggedShadowPair[]; feedback: FeedbackRecord[] }> {
  let reader: Awaited<ReturnType<CliDependencies['openOutcomeLogReader']>>;
  try {
    reader = await dependencies.openOutcomeLogReader(config);
  } catch (error) {
    throw new UsageError(`cannot read the request log: ${(error as Error).message}`, { cause: error });
  }
  try {
    const [outcomes, shadowPairs, feedback] = await Promise.all([
      reader.listOutcomes(since),
      reader.listShadowPairs(since),
      reader.listFeedback(since),
    ]);
    return { outcomes, shadowPairs, feedback };
  } finally {
    await reader.close();
  }
}

/** One sentence for a config that keeps no prompts: nothing can be learnt from its log. */
export function refuseWithoutContent(config: SwitchyardConfig): void {
  if (config.storage.content === 'none') {
    throw new UsageError(
      'The request log keeps no prompts or answers (storage.content is none): set storage.content to redacted or full and let traffic be logged first.',
    );
  }
}

/** The log's requests as outcome rows (who was right), with what was read and left out. */
export async function readLogOutcomes(
  dependencies: CliDependencies,
  options: LogOptions,
): Promise<{ config: SwitchyardConfig; rows: LogOutcomeRow[]; counts: LogOutcomeCounts }> {
  const { config } = await dependencies.loadConfig(options.config);
  refuseWithoutContent(config);
  const small = readList(options.small);
  const large = readList(options.large);
  for (const name of [...(small ?? []), ...(large ?? [])]) {
    if (!(name in config.models)) throw new UsageError(`"${name}" is not a model of the config`);
  }
  const log = await readLog(dependencies, config, readSince(options.since));
  const escalation = config.routing.escalation;
  const { rows, counts } = buildLogOutcomes(log, {
    roles: resolveModelRoles(config, { ...(small ? { small } : {}), ...(large ? { large } : {}) }),
    feedbackMetrics: config.feedback.metrics,
    ...(options.feedbackMetric ? { useMetrics: readList(options.feedbackMetric) as string[] } : {}),
    ...(escalation ? { escalation } : {}),
  });
  if (rows.length < 10) {
    throw new UsageError(
      `The log holds ${rows.length} requests with evidence on the small model's answer (of ${counts.requests}, ${counts.withoutContent} without a logged prompt); learning needs more: shadow pairs, escalations or feedback.`,
    );
  }
  return { config, rows, counts };
}

/** Adds the options of `readLogOutcomes` to a command. */
export function describeLogOptions(): [string, string][] {
  return [
    ['--from-log', 'learn from the request log of --config instead of --data'],
    ['-c, --config <file>', 'with --from-log: the gateway config (its log, models and feedback metrics)'],
    ['--since <duration>', 'with --from-log: only requests of this recent period, e.g. 30d (default: all)'],
    ['--small <models>', 'with --from-log: the small models (default: escalation.from and local models)'],
    ['--large <models>', 'with --from-log: the large models (default: escalation.to and cloud models)'],
    ['--feedback-metric <names>', 'with --from-log: the feedback metrics to read (default: all declared)'],
  ];
}
