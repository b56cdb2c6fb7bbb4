import type { StatsFilter } from '../request-stats.js';

/** What differs between the SQL of the stores; everything else in the statistics is shared. */
export interface SqlDialect {
  name: 'sqlite' | 'postgres';
  /** The epoch second `started_at` falls in, truncated to `stepSeconds` (a trusted integer). */
  bucket(stepSeconds: number): string;
  /** A boolean column as a condition. */
  isTrue(column: string): string;
  /** The continuous percentile (linear interpolation, as numpy's default) of `column`. */
  percentile(column: string, fraction: number): string;
  greatest(left: string, right: string): string;
}

export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  bucket: (step) => `(unixepoch(started_at) / ${step} * ${step})`,
  isTrue: (column) => `${column} = 1`,
  percentile: (column, fraction) => `percentile_cont(${column}, ${fraction})`,
  greatest: (left, right) => `max(${left}, ${right})`,
};

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  bucket: (step) => `(floor(extract(epoch from started_at) / ${step})::bigint * ${step})`,
  isTrue: (column) => column,
  percentile: (column, fraction) => `percentile_cont(${fraction}) WITHIN GROUP (ORDER BY ${column})`,
  greatest: (left, right) => `greatest(${left}, ${right})`,
};

/** Histogram bins of latencies are this factor wide, so a percentile read from one is within half of it. */
export const HISTOGRAM_BIN_RATIO = 1.01;

/** A statement with `?` placeholders and its values. */
export interface Statement {
  sql: string;
  values: unknown[];
}

/** `started_at` in [from, to), plus the filter's conditions. */
export function buildWhere(from: number, to: number, filter: StatsFilter): Statement {
  const conditions = ['started_at >= ?', 'started_at < ?'];
  const values: unknown[] = [new Date(from).toISOString(), new Date(to).toISOString()];
  const equal = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    conditions.push(`${column} = ?`);
    values.push(value);
  };
  if (filter.model === 'none') conditions.push('final_model IS NULL');
  else equal('final_model', filter.model);
  equal('rule', filter.rule);
  equal('task_type', filter.taskType);
  equal('reason_kind', filter.reason);
  equal('tenant', filter.tenant);
  equal('key_id', filter.keyId);
  if (filter.status !== undefined) {
    const statusClass = /^([1-5])xx$/.exec(filter.status);
    if (statusClass) {
      conditions.push('status >= ? AND status < ?');
      const hundreds = Number(statusClass[1]) * 100;
      values.push(hundreds, hundreds + 100);
    } else {
      conditions.push('status = ?');
      values.push(Number(filter.status));
    }
  }
  return { sql: conditions.join(' AND '), values };
}

/** Sums every grouping of the overview takes, in one place so they cannot drift apart. */
function sums(dialect: SqlDialect): string {
  const known = 'cost_usd IS NOT NULL AND baseline_cost_usd IS NOT NULL';
  return `count(*) AS requests,
    sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
    sum(CASE WHEN ${dialect.isTrue('escalated')} THEN 1 ELSE 0 END) AS escalated,
    sum(CASE WHEN reason_kind = 'fallback' THEN 1 ELSE 0 END) AS fallbacks,
    coalesce(sum(cost_usd), 0) AS cost_usd,
    sum(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unknown_cost,
    coalesce(sum(baseline_cost_usd), 0) AS baseline_cost_usd,
    sum(CASE WHEN baseline_cost_usd IS NULL THEN 1 ELSE 0 END) AS unknown_baseline,
    coalesce(sum(CASE WHEN ${known} THEN baseline_cost_usd - cost_usd END), 0) AS savings_usd,
    coalesce(sum(CASE WHEN ${known} THEN baseline_cost_usd END), 0) AS compared_baseline_usd`;
}

/**
 * The overview's groupings of one time range, each per `bucketSeconds` (0: the whole range as one
 * bucket): counts and money per served model; counts per rule, task type and reason kind; per status.
 */
export function buildGroupings(dialect: SqlDialect, where: Statement, bucketSeconds: number) {
  const bucket = bucketSeconds > 0 ? dialect.bucket(bucketSeconds) : '0';
  const from = `FROM requests WHERE ${where.sql}`;
  return {
    models: {
      sql: `SELECT ${bucket} AS at, final_model AS model, ${sums(dialect)} ${from} GROUP BY 1, 2`,
      values: where.values,
    },
    why: {
      sql: `SELECT ${bucket} AS at, final_model AS model, rule, task_type, reason_kind,
              count(*) AS requests, sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors
            ${from} GROUP BY 1, 2, 3, 4, 5`,
      values: where.values,
    },
    statuses: {
      sql: `SELECT ${bucket} AS at, final_model AS model, status, count(*) AS requests ${from} GROUP BY 1, 2, 3`,
      values: where.values,
    },
  } satisfies Record<string, Statement>;
}

/** Exact percentiles of request time and time to first token per served model, and of overhead. */
export function buildPercentiles(dialect: SqlDialect, where: Statement) {
  const three = (column: string) =>
    [0.5, 0.95, 0.99]
      .map((fraction) => `${dialect.percentile(column, fraction)} AS ${column}_${fraction * 100}`)
      .join(', ');
  return {
    models: {
      sql: `SELECT final_model AS model, count(*) AS requests, count(ttft_ms) AS ttft_count,
              ${three('latency_ms')}, ${three('ttft_ms')}
            FROM requests WHERE ${where.sql} GROUP BY 1`,
      values: where.values,
    },
    overhead: {
      sql: `SELECT count(overhead_ms) AS requests, ${three('overhead_ms')} FROM requests WHERE ${where.sql}`,
      values: where.values,
    },
  } satisfies Record<string, Statement>;
}

/** Counts of latencies per logarithmic bin, per bucket and served model, for each timing column. */
export function buildHistograms(dialect: SqlDialect, where: Statement, bucketSeconds: number): Statement {
  const bucket = dialect.bucket(bucketSeconds);
  const part = (column: string) =>
    `SELECT ${bucket} AS at, final_model AS model, '${column}' AS metric,
       CAST(floor(ln(${dialect.greatest(column, '0.001')}) / ln(${HISTOGRAM_BIN_RATIO})) AS INTEGER) AS bin,
       count(*) AS requests
     FROM requests WHERE ${where.sql} AND ${column} IS NOT NULL GROUP BY 1, 2, 4`;
  return {
    sql: ['latency_ms', 'ttft_ms', 'overhead_ms'].map(part).join(' UNION ALL '),
    values: [...where.values, ...where.values, ...where.values],
  };
}

/** Hour by hour row counts, to notice rows written after their hour was cached. */
export function buildHourCounts(dialect: SqlDialect, where: Statement): Statement {
  return {
    sql: `SELECT ${dialect.bucket(3600)} AS at, count(*) AS requests FROM requests WHERE ${where.sql} GROUP BY 1`,
    values: where.values,
  };
}
