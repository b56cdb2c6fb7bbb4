import type { Database as SqliteDatabase } from 'better-sqlite3';
import {
  convertShadowAttemptRow,
  convertShadowRow,
  readRolloutEvent,
  readRolloutState,
  readShadowDisagreement,
  readShadowGroup,
  SHADOW_SUMMARY_COLUMNS,
} from '../convert-evidence-rows.js';
import { convertTime } from '../convert-tenant-rows.js';
import type {
  EvidenceStore,
  RolloutEvent,
  RolloutState,
  ShadowDisagreement,
  ShadowGroup,
  ShadowPairRecord,
} from '../evidence-store.js';
import type { SqliteRequestLog } from './sqlite-request-log.js';

type Row = Record<string, unknown>;

function insertRow(database: SqliteDatabase, table: string, row: Row): void {
  const columns = Object.keys(row);
  database
    .prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`,
    )
    .run(row);
}

/** Shadow pairs and rollouts in the request log's SQLite file, on the log's own connection. */
export class SqliteEvidenceStore implements EvidenceStore {
  constructor(private readonly requestLog: SqliteRequestLog) {}

  async appendShadowPair(record: ShadowPairRecord, attemptIndex: number): Promise<void> {
    this.requestLog.runBetweenBatches((database) =>
      database
        .transaction(() => {
          insertRow(database, 'attempts', convertShadowAttemptRow(record, attemptIndex));
          insertRow(database, 'shadow_pairs', convertShadowRow(record));
        })
        .immediate(),
    );
  }

  async summarizeShadow(since: number): Promise<ShadowGroup[]> {
    const rows = this.requestLog.read((database) =>
      database
        .prepare(
          `SELECT ${SHADOW_SUMMARY_COLUMNS} FROM shadow_pairs WHERE created_at >= ?
           GROUP BY from_model, to_model, route, task_type ORDER BY pairs DESC`,
        )
        .all(convertTime(since)),
    ) as Row[];
    return rows.map(readShadowGroup);
  }

  async listDisagreements(since: number, limit: number): Promise<ShadowDisagreement[]> {
    const rows = this.requestLog.read((database) =>
      database
        .prepare(
          `SELECT * FROM shadow_pairs WHERE created_at >= ? AND agreement = 0
           ORDER BY similarity ASC, created_at DESC LIMIT ?`,
        )
        .all(convertTime(since), limit),
    ) as Row[];
    return rows.map(readShadowDisagreement);
  }

  async readRollouts(): Promise<RolloutState[]> {
    const rows = this.requestLog.read((database) =>
      database.prepare('SELECT * FROM rollouts ORDER BY id').all(),
    ) as Row[];
    return rows.map(readRolloutState);
  }

  async updateRollout(
    next: Omit<RolloutState, 'version'>,
    expectedVersion: number,
    event: RolloutEvent,
  ): Promise<boolean> {
    return this.requestLog.runBetweenBatches((database) =>
      database
        .transaction(() => {
          const row = {
            id: next.id,
            share: next.share,
            last_good_share: next.lastGoodShare,
            paused: next.paused ? 1 : 0,
            updated_at: convertTime(next.updatedAt),
            version: expectedVersion + 1,
          };
          const changed =
            expectedVersion === 0
              ? database
                  .prepare(
                    `INSERT INTO rollouts (id, share, last_good_share, paused, updated_at, version)
                     VALUES (@id, @share, @last_good_share, @paused, @updated_at, @version) ON CONFLICT (id) DO NOTHING`,
                  )
                  .run(row).changes
              : database
                  .prepare(
                    `UPDATE rollouts SET share = @share, last_good_share = @last_good_share, paused = @paused,
                     updated_at = @updated_at, version = @version WHERE id = @id AND version = @expected`,
                  )
                  .run({ ...row, expected: expectedVersion }).changes;
          if (changed !== 1) return false;
          insertRow(database, 'rollout_events', {
            id: event.id,
            at: convertTime(event.at),
            from_share: event.fromShare,
            to_share: event.toShare,
            cause: event.cause,
            evidence: event.evidence ? JSON.stringify(event.evidence) : null,
          });
          return true;
        })
        .immediate(),
    );
  }

  async listRolloutEvents(id: string | undefined, limit: number): Promise<RolloutEvent[]> {
    const rows = this.requestLog.read((database) =>
      id === undefined
        ? database.prepare('SELECT * FROM rollout_events ORDER BY at DESC, rowid DESC LIMIT ?').all(limit)
        : database
            .prepare('SELECT * FROM rollout_events WHERE id = ? ORDER BY at DESC, rowid DESC LIMIT ?')
            .all(id, limit),
    ) as Row[];
    return rows.map(readRolloutEvent);
  }

  async countRuleOutcomes(rule: string, since: number): Promise<{ requests: number; escalated: number }> {
    const row = this.requestLog.read((database) =>
      database
        .prepare(
          'SELECT count(*) AS requests, sum(escalated) AS escalated FROM requests WHERE started_at >= ? AND rule = ?',
        )
        .get(convertTime(since), rule),
    ) as Row;
    return { requests: Number(row.requests), escalated: Number(row.escalated ?? 0) };
  }

  async close(): Promise<void> {
    // The connection belongs to the request log, which closes it.
  }
}
