import { InvalidRequestError } from '../../errors/index.js';
import type { StatsFilter } from '../../storage/index.js';

const RANGES: Record<string, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
};
const FILTERS = ['model', 'rule', 'taskType', 'reason', 'status', 'tenant', 'key'] as const;
/** The longest custom range: a year of the log. */
const MAX_RANGE_MS = 366 * 86_400_000;

export type StatsParams = Partial<Record<'range' | 'from' | 'to' | (typeof FILTERS)[number], string>>;

function readTime(value: string, param: string): number {
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time)) {
    throw new InvalidRequestError({
      message: `${param}: expected an ISO 8601 time or epoch milliseconds, got '${value}'.`,
      code: 'invalid_value',
      param,
    });
  }
  return time;
}

/** The time range and filters of a stats call: `range` (1h, 24h, 7d, 30d) or `from` and `to`. */
export function parseStatsQuery(
  params: StatsParams,
  now: number,
): { from: number; to: number; filter: StatsFilter } {
  let from: number;
  let to: number;
  if (params.from !== undefined || params.to !== undefined) {
    to = params.to === undefined ? now : readTime(params.to, 'to');
    from = params.from === undefined ? to - (RANGES['24h'] as number) : readTime(params.from, 'from');
  } else {
    const span = RANGES[params.range ?? '24h'];
    if (span === undefined) {
      throw new InvalidRequestError({
        message: `range: expected one of ${Object.keys(RANGES).join(', ')}, or from and to.`,
        code: 'invalid_value',
        param: 'range',
      });
    }
    to = now;
    from = now - span;
  }
  if (!(from < to) || to - from > MAX_RANGE_MS) {
    throw new InvalidRequestError({
      message: 'from: the range must start before it ends and span at most 366 days.',
      code: 'invalid_value',
      param: 'from',
    });
  }
  const filter: StatsFilter = {};
  for (const name of FILTERS) {
    const value = params[name];
    if (value === undefined || value === '') continue;
    if (name === 'status' && !/^([1-5]xx|[1-5]\d\d)$/.test(value)) {
      throw new InvalidRequestError({
        message: `status: expected an HTTP status (429) or a class (2xx, 4xx, 5xx), got '${value}'.`,
        code: 'invalid_value',
        param: 'status',
      });
    }
    if (name === 'key') filter.keyId = value;
    else filter[name] = value;
  }
  return { from, to, filter };
}
