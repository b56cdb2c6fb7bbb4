import type { PoolClient } from 'pg';

/** Schema versions, applied in order; `switchyard_schema` records which ones a database has. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE requests (
     id text PRIMARY KEY,
     started_at timestamptz NOT NULL,
     tenant text,
     key_id text,
     user_id text,
     requested_model text,
     route text,
     rule text,
     reason text,
     scores jsonb,
     escalated boolean NOT NULL,
     escalation_reason text,
     final_model text,
     status integer NOT NULL,
     error_code text,
     error_message text,
     stream boolean NOT NULL,
     ttft_ms double precision,
     latency_ms double precision NOT NULL,
     input_tokens integer,
     output_tokens integer,
     cached_input_tokens integer,
     reasoning_tokens integer,
     usage_source text,
     cost_usd double precision,
     baseline_cost_usd double precision,
     config_hash text NOT NULL,
     request_content text,
     response_content text
   );
   CREATE INDEX requests_started_at ON requests (started_at);
   CREATE INDEX requests_final_model ON requests (final_model, started_at);
   -- Spend per tenant or key over a time window, read from the index alone.
   CREATE INDEX requests_tenant ON requests (tenant, started_at) INCLUDE (cost_usd);
   CREATE INDEX requests_key_id ON requests (key_id, started_at) INCLUDE (cost_usd);
   CREATE TABLE attempts (
     request_id text NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
     attempt_index integer NOT NULL,
     model text NOT NULL,
     role text NOT NULL,
     status text NOT NULL,
     error_code text,
     error_message text,
     error_status integer,
     ttft_ms double precision,
     latency_ms double precision NOT NULL,
     model_id text,
     input_tokens integer,
     output_tokens integer,
     cached_input_tokens integer,
     cache_write_input_tokens integer,
     reasoning_tokens integer,
     usage_source text,
     cost_usd double precision,
     confidence double precision,
     PRIMARY KEY (request_id, attempt_index)
   );
   CREATE TABLE tenants (
     name text PRIMARY KEY,
     created_at timestamptz NOT NULL,
     budget_usd double precision,
     budget_period text,
     rpm integer,
     tpm integer,
     models jsonb
   );
   CREATE TABLE api_keys (
     id text PRIMARY KEY,
     tenant text NOT NULL REFERENCES tenants (name),
     hash text NOT NULL UNIQUE,
     prefix text NOT NULL,
     created_at timestamptz NOT NULL,
     expires_at timestamptz,
     revoked_at timestamptz,
     budget_usd double precision,
     budget_period text,
     rpm integer,
     tpm integer,
     models jsonb
   );
   CREATE INDEX api_keys_tenant ON api_keys (tenant);`,
  `CREATE TABLE shadow_pairs (
     request_id text NOT NULL,
     created_at timestamptz NOT NULL,
     from_model text NOT NULL,
     to_model text NOT NULL,
     route text,
     rule text,
     task_type text,
     status text NOT NULL,
     error_code text,
     latency_ms double precision NOT NULL,
     input_tokens integer,
     output_tokens integer,
     cost_usd double precision,
     primary_cost_usd double precision,
     exact_match integer,
     normalized_match integer,
     json_match integer,
     tool_match integer,
     verifiers_ok integer,
     judge_verdict text,
     similarity double precision,
     agreement double precision,
     shadow_content text,
     PRIMARY KEY (request_id, to_model)
   );
   CREATE INDEX shadow_pairs_created ON shadow_pairs (created_at);
   CREATE TABLE rollouts (
     id text PRIMARY KEY,
     share double precision NOT NULL,
     last_good_share double precision NOT NULL,
     paused boolean NOT NULL,
     updated_at timestamptz NOT NULL,
     version integer NOT NULL
   );
   CREATE TABLE rollout_events (
     id text NOT NULL,
     at timestamptz NOT NULL,
     from_share double precision NOT NULL,
     to_share double precision NOT NULL,
     cause text NOT NULL,
     evidence jsonb
   );
   CREATE INDEX rollout_events_id ON rollout_events (id, at);`,
  // The dashboard's statistics: the kind of route reason (as the metrics label it), the task type
  // (out of the scores JSON, to group and filter by) and the gateway's own time per request. Rows
  // written before this version get their kind from the columns that decided it (their overhead
  // was not recorded, and stays unknown). The covering index answers a time range's aggregates
  // from the index alone.
  `ALTER TABLE requests ADD COLUMN reason_kind text,
     ADD COLUMN task_type text,
     ADD COLUMN overhead_ms double precision;
   UPDATE requests SET
     task_type = scores->>'taskType',
     reason_kind = CASE
       WHEN rule IS NULL THEN NULL
       WHEN escalated THEN 'escalated'
       WHEN escalation_reason IS NOT NULL THEN 'escalation-declined'
       WHEN final_model IS NOT NULL AND final_model <> route THEN 'fallback'
       WHEN rule IN ('default', 'forced', 'residency', 'over-budget') THEN rule
       ELSE 'rule' END;
   CREATE INDEX requests_stats ON requests (started_at) INCLUDE (final_model, rule, task_type,
     reason_kind, tenant, status, escalated, cost_usd, baseline_cost_usd, latency_ms, ttft_ms, overhead_ms);`,
  // Feedback on answers, one row per request and metric (the latest value wins), with the facts
  // of the request it rates copied in, so aggregates read this table alone.
  `CREATE TABLE feedback (
     request_id text NOT NULL,
     metric text NOT NULL,
     value double precision NOT NULL,
     created_at timestamptz NOT NULL,
     comment text,
     demonstration text,
     tenant text,
     key_id text,
     model text,
     route text,
     task_type text,
     PRIMARY KEY (request_id, metric)
   );
   CREATE INDEX feedback_created ON feedback (created_at);`,
];

/** The schema version this code writes. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database up to the current schema in one transaction. Replicas starting together take
 * an advisory lock first, so exactly one of them applies each version and the others find it done.
 */
export async function migratePostgres(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('switchyard_schema'))");
    await client.query(
      `CREATE TABLE IF NOT EXISTS switchyard_schema (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const result = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM switchyard_schema',
    );
    const current = result.rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `the database was written by a newer Switchyard (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade Switchyard or use another database`,
      );
    }
    for (let version = current; version < MIGRATIONS.length; version += 1) {
      await client.query(MIGRATIONS[version] as string);
      await client.query('INSERT INTO switchyard_schema (version) VALUES ($1)', [version + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
