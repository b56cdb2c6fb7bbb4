import type { PoolClient } from 'pg';
import { ATTEMPT_COLUMNS, type OutcomeRow, REQUEST_COLUMNS } from '../convert-outcome-rows.js';

/** Postgres types of the non-text columns, for the arrays each INSERT unnests. */
const REQUEST_TYPES: Record<string, string> = {
  started_at: 'timestamptz',
  scores: 'jsonb',
  escalated: 'boolean',
  status: 'integer',
  stream: 'boolean',
  ttft_ms: 'float8',
  latency_ms: 'float8',
  overhead_ms: 'float8',
  input_tokens: 'integer',
  output_tokens: 'integer',
  cached_input_tokens: 'integer',
  reasoning_tokens: 'integer',
  cost_usd: 'float8',
  baseline_cost_usd: 'float8',
};
const ATTEMPT_TYPES: Record<string, string> = {
  attempt_index: 'integer',
  error_status: 'integer',
  ttft_ms: 'float8',
  latency_ms: 'float8',
  input_tokens: 'integer',
  output_tokens: 'integer',
  cached_input_tokens: 'integer',
  cache_write_input_tokens: 'integer',
  reasoning_tokens: 'integer',
  cost_usd: 'float8',
  confidence: 'float8',
};

/**
 * One INSERT for any number of rows: one array parameter per column, unnested, so a batch costs
 * one statement whatever its size and stays far below Postgres's parameter limit.
 */
function buildInsert(
  table: string,
  columns: readonly string[],
  types: Record<string, string>,
  suffix: string,
): string {
  const arrays = columns.map((column, index) => `$${index + 1}::${types[column] ?? 'text'}[]`);
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ${suffix}`;
}

// A request id already in the table is skipped, not an error: the batch's other rows go in, and
// the caller learns which ids were new from RETURNING.
const INSERT_REQUESTS = buildInsert(
  'requests',
  REQUEST_COLUMNS,
  REQUEST_TYPES,
  'ON CONFLICT (id) DO NOTHING RETURNING id',
);
const INSERT_ATTEMPTS = buildInsert('attempts', ATTEMPT_COLUMNS, ATTEMPT_TYPES, 'ON CONFLICT DO NOTHING');

function toColumnArrays(rows: readonly OutcomeRow[], columns: readonly string[]): unknown[][] {
  return columns.map((column) => rows.map((row) => row[column] ?? null));
}

/**
 * Inserts request rows and the attempt rows of those that were new, inside the caller's
 * transaction. Returns the ids that were new.
 */
export async function insertOutcomeRows(
  client: PoolClient,
  requests: readonly OutcomeRow[],
  attempts: readonly OutcomeRow[],
): Promise<Set<string>> {
  const result = await client.query<{ id: string }>(
    INSERT_REQUESTS,
    toColumnArrays(requests, REQUEST_COLUMNS),
  );
  const inserted = new Set(result.rows.map((row) => row.id));
  const newAttempts = attempts.filter((row) => inserted.has(row.request_id as string));
  if (newAttempts.length > 0)
    await client.query(INSERT_ATTEMPTS, toColumnArrays(newAttempts, ATTEMPT_COLUMNS));
  return inserted;
}
