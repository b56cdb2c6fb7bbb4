import type { Database } from 'better-sqlite3';

/** Schema versions, applied in order; `PRAGMA user_version` records how far a file has come. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE requests (
     id TEXT PRIMARY KEY,
     started_at TEXT NOT NULL,
     tenant TEXT,
     user_id TEXT,
     requested_model TEXT,
     route TEXT,
     rule TEXT,
     reason TEXT,
     scores TEXT,
     escalated INTEGER NOT NULL,
     escalation_reason TEXT,
     final_model TEXT,
     status INTEGER NOT NULL,
     error_code TEXT,
     error_message TEXT,
     stream INTEGER NOT NULL,
     ttft_ms REAL,
     latency_ms REAL NOT NULL,
     input_tokens INTEGER,
     output_tokens INTEGER,
     cached_input_tokens INTEGER,
     reasoning_tokens INTEGER,
     usage_source TEXT,
     cost_usd REAL,
     baseline_cost_usd REAL,
     config_hash TEXT NOT NULL,
     request_content TEXT,
     response_content TEXT
   );
   CREATE INDEX requests_started_at ON requests (started_at);
   CREATE INDEX requests_final_model ON requests (final_model, started_at);
   CREATE TABLE attempts (
     request_id TEXT NOT NULL REFERENCES requests (id),
     attempt_index INTEGER NOT NULL,
     model TEXT NOT NULL,
     role TEXT NOT NULL,
     status TEXT NOT NULL,
     error_code TEXT,
     error_message TEXT,
     error_status INTEGER,
     ttft_ms REAL,
     latency_ms REAL NOT NULL,
     model_id TEXT,
     input_tokens INTEGER,
     output_tokens INTEGER,
     cached_input_tokens INTEGER,
     cache_write_input_tokens INTEGER,
     reasoning_tokens INTEGER,
     usage_source TEXT,
     cost_usd REAL,
     confidence REAL,
     PRIMARY KEY (request_id, attempt_index)
   );`,
  // Spend is summed per tenant or per key over a time window (budgets, re-seeding counters); the
  // indexes hold cost_usd too, so the sum reads them alone.
  `ALTER TABLE requests ADD COLUMN key_id TEXT;
   CREATE INDEX requests_tenant ON requests (tenant, started_at, cost_usd);
   CREATE INDEX requests_key_id ON requests (key_id, started_at, cost_usd);`,
  `CREATE TABLE tenants (
     name TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     budget_usd REAL,
     budget_period TEXT,
     rpm INTEGER,
     tpm INTEGER,
     models TEXT
   );
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     tenant TEXT NOT NULL REFERENCES tenants (name),
     hash TEXT NOT NULL UNIQUE,
     prefix TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT,
     revoked_at TEXT,
     budget_usd REAL,
     budget_period TEXT,
     rpm INTEGER,
     tpm INTEGER,
     models TEXT
   );
   CREATE INDEX api_keys_tenant ON api_keys (tenant);`,
  // The migration loop's evidence: each shadow call scored against the answer it shadowed, and
  // each rollout's shared share with the history of its changes.
  `CREATE TABLE shadow_pairs (
     request_id TEXT NOT NULL,
     created_at TEXT NOT NULL,
     from_model TEXT NOT NULL,
     to_model TEXT NOT NULL,
     route TEXT,
     rule TEXT,
     task_type TEXT,
     status TEXT NOT NULL,
     error_code TEXT,
     latency_ms REAL NOT NULL,
     input_tokens INTEGER,
     output_tokens INTEGER,
     cost_usd REAL,
     primary_cost_usd REAL,
     exact_match INTEGER,
     normalized_match INTEGER,
     json_match INTEGER,
     tool_match INTEGER,
     verifiers_ok INTEGER,
     judge_verdict TEXT,
     similarity REAL,
     agreement REAL,
     shadow_content TEXT,
     PRIMARY KEY (request_id, to_model)
   );
   CREATE INDEX shadow_pairs_created ON shadow_pairs (created_at);
   CREATE TABLE rollouts (
     id TEXT PRIMARY KEY,
     share REAL NOT NULL,
     last_good_share REAL NOT NULL,
     paused INTEGER NOT NULL,
     updated_at TEXT NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE TABLE rollout_events (
     id TEXT NOT NULL,
     at TEXT NOT NULL,
     from_share REAL NOT NULL,
     to_share REAL NOT NULL,
     cause TEXT NOT NULL,
     evidence TEXT
   );
   CREATE INDEX rollout_events_id ON rollout_events (id, at);`,
  // The dashboard's statistics: the kind of route reason (as the metrics label it), the task type
  // (out of the scores JSON, to group and filter by) and the gateway's own time per request. Rows
  // written before this version get their kind from the columns that decided it (their overhead
  // was not recorded, and stays unknown). The covering index answers a time range's aggregates
  // from the index alone, without reading rows and their content.
  `ALTER TABLE requests ADD COLUMN reason_kind TEXT;
   ALTER TABLE requests ADD COLUMN task_type TEXT;
   ALTER TABLE requests ADD COLUMN overhead_ms REAL;
   UPDATE requests SET
     task_type = json_extract(scores, '$.taskType'),
     reason_kind = CASE
       WHEN rule IS NULL THEN NULL
       WHEN escalated = 1 THEN 'escalated'
       WHEN escalation_reason IS NOT NULL THEN 'escalation-declined'
       WHEN final_model IS NOT NULL AND final_model <> route THEN 'fallback'
       WHEN rule IN ('default', 'forced', 'residency', 'over-budget') THEN rule
       ELSE 'rule' END;
   CREATE INDEX requests_stats ON requests (started_at, final_model, rule, task_type, reason_kind,
     tenant, status, escalated, cost_usd, baseline_cost_usd, latency_ms, ttft_ms, overhead_ms);`,
  // Feedback on answers, one row per request and metric (the latest value wins), with the facts
  // of the request it rates copied in, so aggregates read this table alone.
  `CREATE TABLE feedback (
     request_id TEXT NOT NULL,
     metric TEXT NOT NULL,
     value REAL NOT NULL,
     created_at TEXT NOT NULL,
     comment TEXT,
     demonstration TEXT,
     tenant TEXT,
     key_id TEXT,
     model TEXT,
     route TEXT,
     task_type TEXT,
     PRIMARY KEY (request_id, metric)
   );
   CREATE INDEX feedback_created ON feedback (created_at);`,
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database file up to the current schema (or to `target`, which tests use to write a file
 * as an older release did), one transaction per version.
 */
export function migrateSqlite(database: Database, target = MIGRATIONS.length): void {
  const current = database.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database was written by a newer Switchyard (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade Switchyard or use another file`,
    );
  }
  for (let version = current; version < target; version += 1) {
    database.transaction(() => {
      database.exec(MIGRATIONS[version] as string);
      database.pragma(`user_version = ${version + 1}`);
    })();
  }
}
