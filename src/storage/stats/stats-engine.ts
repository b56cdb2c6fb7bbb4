import type { StatsFilter, StatsOverview, StatsQuery } from '../request-stats.js';
import {
  buildGroupings,
  buildHistograms,
  buildHourCounts,
  buildPercentiles,
  buildWhere,
  type SqlDialect,
  type Statement,
} from './stats-sql.js';
import {
  concatGroups,
  emptyGroups,
  type GroupedRows,
  reduceGroups,
  type SqlRow,
  summarizeGroups,
  summarizeLatency,
} from './summarize-groups.js';

/** Runs a read on a store's own connection (`?` placeholders). */
export type RunSql = (statement: Statement) => Promise<SqlRow[]> | SqlRow[];

const HOUR = 3_600_000;
/** Series steps in seconds; a range gets the smallest that gives at most MAX_POINTS points. */
const STEPS = [60, 300, 900, 3600, 10_800, 21_600, 86_400];
const MAX_POINTS = 360;
/** An hour is cached once it ended this long ago; hours of the last day are re-counted each time. */
const SETTLE_MS = 60_000;
const RECOUNT_MS = 24 * HOUR;
const FILL_MS = 24 * HOUR;
/** Up to this many requests, a long range's percentiles are computed exactly rather than binned. */
const EXACT_PERCENTILES_UP_TO = 50_000;
const CACHED_FILTERS = 16;

export function chooseStepSeconds(from: number, to: number): number {
  const span = Math.max(1, to - from) / 1000;
  return STEPS.find((step) => span / step <= MAX_POINTS) ?? (STEPS.at(-1) as number);
}

interface CachedHour {
  groups: GroupedRows;
  requests: number;
}

function splitByHour(groups: GroupedRows, from: number, to: number): Map<number, CachedHour> {
  const hours = new Map<number, CachedHour>();
  for (let at = from; at < to; at += HOUR) hours.set(at, { groups: emptyGroups(), requests: 0 });
  for (const kind of ['models', 'why', 'statuses', 'histograms'] as const) {
    for (const row of groups[kind]) {
      const hour = hours.get(Number(row.at) * 1000);
      if (!hour) continue;
      hour.groups[kind].push(row);
      if (kind === 'models') hour.requests += Number(row.requests);
    }
  }
  return hours;
}

/**
 * The overview of a time range. Short ranges (a step under an hour) are aggregated straight from
 * the log through its covering time index. Long ones are put together from whole hours, each
 * aggregated once and kept (per filter), plus the partial hours at either end and those not yet
 * settled; a cached hour of the last day is dropped when its row count changes (a slow request
 * written after its hour), so the sums stay those of the log. Percentiles are exact up to
 * EXACT_PERCENTILES_UP_TO requests, binned above that.
 */
export class StatsEngine {
  private readonly cache = new Map<string, Map<number, CachedHour>>();
  /** Per filter: the cached hours of the last long view, already merged (a refresh reuses them). */
  private readonly merged = new Map<string, { from: number; to: number; groups: GroupedRows }>();

  constructor(
    private readonly dialect: SqlDialect,
    private readonly run: RunSql,
    private readonly now: () => number = Date.now,
  ) {}

  async overview(query: StatsQuery): Promise<StatsOverview> {
    const { from, to, filter } = query;
    const stepSeconds = chooseStepSeconds(from, to);
    const groups =
      stepSeconds < 3600
        ? await this.aggregate(from, to, filter, stepSeconds)
        : await this.collectHours(query);
    const summary = summarizeGroups(groups, { localModels: query.localModels, stepSeconds });
    const latency =
      stepSeconds < 3600 || summary.totals.requests <= EXACT_PERCENTILES_UP_TO
        ? summarizeLatency({ exact: await this.percentiles(from, to, filter) })
        : summarizeLatency({ histograms: groups.histograms });
    return { from, to, ...summary, latency };
  }

  /**
   * Aggregates and keeps the unfiltered hours of the `days` before now, a day per call of `yieldTurn`
   * (so other work interleaves), newest first: the long views open fast from the first look.
   */
  async warm(days: number, yieldTurn: () => Promise<void>): Promise<void> {
    const end = Math.floor(this.now() / HOUR) * HOUR;
    for (let day = 1; day <= days; day += 1) {
      await this.collectHours({
        from: end - day * 24 * HOUR,
        to: end - (day - 1) * 24 * HOUR,
        filter: {},
        localModels: [],
      });
      await yieldTurn();
    }
  }

  private async percentiles(from: number, to: number, filter: StatsFilter) {
    const statements = buildPercentiles(this.dialect, buildWhere(from, to, filter));
    const [models, overhead] = await Promise.all([
      this.run(statements.models),
      this.run(statements.overhead),
    ]);
    return { models, overhead };
  }

  private async aggregate(
    from: number,
    to: number,
    filter: StatsFilter,
    bucketSeconds: number,
    histograms = false,
  ): Promise<GroupedRows> {
    if (from >= to) return emptyGroups();
    const where = buildWhere(from, to, filter);
    const statements = buildGroupings(this.dialect, where, bucketSeconds);
    const [models, why, statuses, histogramRows] = await Promise.all([
      this.run(statements.models),
      this.run(statements.why),
      this.run(statements.statuses),
      histograms ? this.run(buildHistograms(this.dialect, where, bucketSeconds)) : [],
    ]);
    return { models, why, statuses, histograms: histogramRows };
  }

  private async collectHours(query: StatsQuery): Promise<GroupedRows> {
    const { from, to, filter } = query;
    const firstHour = Math.min(Math.ceil(from / HOUR) * HOUR, to);
    const settled = Math.floor((this.now() - SETTLE_MS) / HOUR) * HOUR;
    const cachedEnd = Math.max(firstHour, Math.min(Math.floor(to / HOUR) * HOUR, settled));
    const cache = this.cacheFor(filter);
    const filterKey = this.keyOf(filter);
    if (await this.dropChanged(cache, filter, Math.max(firstHour, this.now() - RECOUNT_MS), cachedEnd)) {
      this.merged.delete(filterKey);
    }
    const parts: GroupedRows[] = [
      await this.aggregate(from, firstHour, filter, 3600, true),
      await this.aggregate(cachedEnd, to, filter, 3600, true),
    ];
    let runStart: number | undefined;
    for (let at = firstHour; at <= cachedEnd; at += HOUR) {
      const missing = at < cachedEnd && !cache.has(at);
      if (missing && runStart === undefined) runStart = at;
      if (!missing && runStart !== undefined) {
        // A day per statement, so no one statement holds the connection for long.
        for (let from = runStart; from < at; from += FILL_MS) {
          const end = Math.min(at, from + FILL_MS);
          const rows = await this.aggregate(from, end, filter, 3600, true);
          for (const [hour, entry] of splitByHour(rows, from, end)) cache.set(hour, entry);
        }
        runStart = undefined;
      }
    }
    let merged = this.merged.get(filterKey);
    if (merged?.from !== firstHour || merged.to !== cachedEnd) {
      const hours: GroupedRows[] = [];
      for (let at = firstHour; at < cachedEnd; at += HOUR) hours.push((cache.get(at) as CachedHour).groups);
      merged = { from: firstHour, to: cachedEnd, groups: reduceGroups(concatGroups(hours)) };
      this.merged.set(filterKey, merged);
    }
    parts.push(merged.groups);
    return concatGroups(parts);
  }

  /** Forgets cached hours in [from, to) whose row count is no longer the log's; true if any. */
  private async dropChanged(
    cache: Map<number, CachedHour>,
    filter: StatsFilter,
    from: number,
    to: number,
  ): Promise<boolean> {
    const start = Math.floor(from / HOUR) * HOUR;
    if (start >= to || ![...cache.keys()].some((hour) => hour >= start && hour < to)) return false;
    const where = buildWhere(start, to, filter);
    const counts = new Map<number, number>();
    for (const row of await this.run(buildHourCounts(this.dialect, where))) {
      counts.set(Number(row.at) * 1000, Number(row.requests));
    }
    let dropped = false;
    for (let hour = start; hour < to; hour += HOUR) {
      const cached = cache.get(hour);
      if (cached && cached.requests !== (counts.get(hour) ?? 0)) {
        cache.delete(hour);
        dropped = true;
      }
    }
    return dropped;
  }

  private keyOf(filter: StatsFilter): string {
    return JSON.stringify(Object.entries(filter).sort());
  }

  private cacheFor(filter: StatsFilter): Map<number, CachedHour> {
    const key = this.keyOf(filter);
    let cache = this.cache.get(key);
    if (cache) {
      // Most recently used last, so the oldest filter is the one dropped.
      this.cache.delete(key);
    } else {
      cache = new Map();
      if (this.cache.size >= CACHED_FILTERS) {
        const oldest = this.cache.keys().next().value as string;
        this.cache.delete(oldest);
        this.merged.delete(oldest);
      }
    }
    this.cache.set(key, cache);
    return cache;
  }
}
