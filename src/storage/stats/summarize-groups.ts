import {
  createEmptyCounts,
  type GroupCount,
  type ModelLatency,
  type Percentiles,
  type StatsBucket,
  type StatsCounts,
  type StatsOverview,
} from '../request-stats.js';
import { HISTOGRAM_BIN_RATIO } from './stats-sql.js';

/** A row as a store returns it; Postgres gives 64-bit sums as strings. */
export type SqlRow = Record<string, unknown>;

/** The grouped rows of a time range (or of one cached hour), as the queries of stats-sql give them. */
export interface GroupedRows {
  models: SqlRow[];
  why: SqlRow[];
  statuses: SqlRow[];
  histograms: SqlRow[];
}

export function emptyGroups(): GroupedRows {
  return { models: [], why: [], statuses: [], histograms: [] };
}

export function concatGroups(parts: GroupedRows[]): GroupedRows {
  return {
    models: parts.flatMap((part) => part.models),
    why: parts.flatMap((part) => part.why),
    statuses: parts.flatMap((part) => part.statuses),
    histograms: parts.flatMap((part) => part.histograms),
  };
}

/** Sums rows that share `keys`, dropping their bucket: the parts of an overview that need no time. */
function reduceRows(rows: SqlRow[], keys: readonly string[], sums: readonly string[]): SqlRow[] {
  const merged = new Map<string, SqlRow>();
  for (const row of rows) {
    const key = keys.map((column) => String(row[column])).join('\u0000');
    const existing = merged.get(key);
    if (existing)
      for (const column of sums) existing[column] = Number(existing[column]) + Number(row[column]);
    else merged.set(key, { ...row, at: 0 });
  }
  return [...merged.values()];
}

/**
 * The same groups in far fewer rows: reasons, statuses and histograms summed over time (the series
 * keeps its buckets), so a long range's hours are merged once rather than on every refresh.
 */
export function reduceGroups(groups: GroupedRows): GroupedRows {
  return {
    models: groups.models,
    why: reduceRows(groups.why, ['model', 'rule', 'task_type', 'reason_kind'], ['requests', 'errors']),
    statuses: reduceRows(groups.statuses, ['model', 'status'], ['requests']),
    histograms: reduceRows(groups.histograms, ['model', 'metric', 'bin'], ['requests']),
  };
}

const COUNT_FIELDS = [
  ['requests', 'requests'],
  ['errors', 'errors'],
  ['escalated', 'escalated'],
  ['fallbacks', 'fallbacks'],
  ['costUsd', 'cost_usd'],
  ['unknownCost', 'unknown_cost'],
  ['baselineCostUsd', 'baseline_cost_usd'],
  ['unknownBaseline', 'unknown_baseline'],
  ['savingsUsd', 'savings_usd'],
  ['comparedBaselineUsd', 'compared_baseline_usd'],
] as const;

function addRow(counts: StatsCounts, row: SqlRow, isLocal: boolean): void {
  for (const [field, column] of COUNT_FIELDS) counts[field] += Number(row[column] ?? 0);
  if (isLocal) counts.local += Number(row.requests);
}

function modelName(row: SqlRow): string {
  return (row.model as string | null) ?? 'none';
}

function countBy(rows: SqlRow[], key: (row: SqlRow) => string | null, local: Set<string>): GroupCount[] {
  const groups = new Map<string | null, GroupCount>();
  for (const row of rows) {
    const name = key(row);
    let group = groups.get(name);
    if (!group) {
      group = { key: name, requests: 0, local: 0, errors: 0 };
      groups.set(name, group);
    }
    const requests = Number(row.requests);
    group.requests += requests;
    if (local.has(modelName(row))) group.local += requests;
    group.errors +=
      row.errors === undefined ? (Number(row.status) >= 400 ? requests : 0) : Number(row.errors);
  }
  return [...groups.values()].sort((left, right) => right.requests - left.requests);
}

/** The value at fraction `p` of a histogram, interpolated between ranks as percentile_cont is. */
function readHistogram(bins: Map<number, number>, fraction: number, total: number): number | null {
  if (total === 0) return null;
  const position = Math.floor(fraction * (total - 1));
  let seen = 0;
  for (const bin of [...bins.keys()].sort((left, right) => left - right)) {
    seen += bins.get(bin) as number;
    if (seen > position) return HISTOGRAM_BIN_RATIO ** (bin + 0.5);
  }
  return null;
}

function histogramPercentiles(rows: SqlRow[]): Percentiles {
  const bins = new Map<number, number>();
  let count = 0;
  for (const row of rows) {
    const bin = Number(row.bin);
    const requests = Number(row.requests);
    bins.set(bin, (bins.get(bin) ?? 0) + requests);
    count += requests;
  }
  return {
    count,
    p50: readHistogram(bins, 0.5, count),
    p95: readHistogram(bins, 0.95, count),
    p99: readHistogram(bins, 0.99, count),
  };
}

function exactPercentiles(row: SqlRow | undefined, column: string, count: number): Percentiles {
  const read = (percent: number) => {
    const value = row?.[`${column}_${percent}`];
    return value === null || value === undefined ? null : Number(value);
  };
  return { count, p50: read(50), p95: read(95), p99: read(99) };
}

/** Latency from exact percentile rows (small ranges) or from merged histograms (long ones). */
export function summarizeLatency(
  source: { exact: { models: SqlRow[]; overhead: SqlRow[] } } | { histograms: SqlRow[] },
): StatsOverview['latency'] {
  if ('exact' in source) {
    const overhead = source.exact.overhead[0];
    return {
      exact: true,
      models: source.exact.models.map((row) => ({
        model: modelName(row),
        latencyMs: exactPercentiles(row, 'latency_ms', Number(row.requests)),
        ttftMs: exactPercentiles(row, 'ttft_ms', Number(row.ttft_count)),
      })),
      overheadMs: exactPercentiles(overhead, 'overhead_ms', Number(overhead?.requests ?? 0)),
    };
  }
  const byModel = new Map<string, { latency_ms: SqlRow[]; ttft_ms: SqlRow[] }>();
  const overhead: SqlRow[] = [];
  for (const row of source.histograms) {
    if (row.metric === 'overhead_ms') {
      overhead.push(row);
      continue;
    }
    const name = modelName(row);
    let entry = byModel.get(name);
    if (!entry) {
      entry = { latency_ms: [], ttft_ms: [] };
      byModel.set(name, entry);
    }
    entry[row.metric as 'latency_ms' | 'ttft_ms'].push(row);
  }
  const models: ModelLatency[] = [...byModel].map(([model, rows]) => ({
    model,
    latencyMs: histogramPercentiles(rows.latency_ms),
    ttftMs: histogramPercentiles(rows.ttft_ms),
  }));
  return { exact: false, models, overheadMs: histogramPercentiles(overhead) };
}

/** Totals, per-model sums, the series per `stepSeconds` and the counts behind "why". */
export function summarizeGroups(
  groups: GroupedRows,
  options: { localModels: readonly string[]; stepSeconds: number },
): Omit<StatsOverview, 'from' | 'to' | 'latency'> {
  const local = new Set(options.localModels);
  const totals = createEmptyCounts();
  const models = new Map<string, StatsCounts & { model: string }>();
  const buckets = new Map<number, StatsBucket>();
  const stepMs = options.stepSeconds * 1000;
  for (const row of groups.models) {
    const name = modelName(row);
    const isLocal = local.has(name);
    addRow(totals, row, isLocal);
    let model = models.get(name);
    if (!model) {
      model = { model: name, ...createEmptyCounts() };
      models.set(name, model);
    }
    addRow(model, row, isLocal);
    const at = Math.floor((Number(row.at) * 1000) / stepMs) * stepMs;
    let bucket = buckets.get(at);
    if (!bucket) {
      bucket = { at, models: {}, ...createEmptyCounts() };
      buckets.set(at, bucket);
    }
    addRow(bucket, row, isLocal);
    bucket.models[name] = (bucket.models[name] ?? 0) + Number(row.requests);
  }
  return {
    stepSeconds: options.stepSeconds,
    totals,
    models: [...models.values()].sort((left, right) => right.requests - left.requests),
    series: [...buckets.values()].sort((left, right) => left.at - right.at),
    why: {
      rules: countBy(groups.why, (row) => row.rule as string | null, local),
      taskTypes: countBy(groups.why, (row) => row.task_type as string | null, local),
      reasons: countBy(groups.why, (row) => row.reason_kind as string | null, local),
      statuses: countBy(groups.statuses, (row) => String(row.status), local),
    },
  };
}
