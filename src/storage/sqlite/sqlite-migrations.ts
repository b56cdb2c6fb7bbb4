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
];

/** Brings a database file up to the current schema, one transaction per version. */
export function migrateSqlite(database: Database): void {
  const current = database.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the request log was written by a newer Switchyard (schema ${current}, this one knows ${MIGRATIONS.length})`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version += 1) {
    database.transaction(() => {
      database.exec(MIGRATIONS[version] as string);
      database.pragma(`user_version = ${version + 1}`);
    })();
  }
}
