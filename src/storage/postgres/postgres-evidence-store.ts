import type pg from 'pg';
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
import { openPostgresPool } from './open-postgres-pool.js';

type Row = Record<string, unknown>;

async function insertRow(client: pg.PoolClient, table: string, row: Row): Promise<void> {
  const columns = Object.keys(row);
  await client.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
    Object.values(row),
  );
}

/** Shadow pairs and rollouts in the replicas' shared Postgres database. */
export class PostgresEvidenceStore implements EvidenceStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(options: { url: string; maxConnections?: number }): Promise<PostgresEvidenceStore> {
    return new PostgresEvidenceStore(
      await openPostgresPool({ url: options.url, maxConnections: options.maxConnections ?? 2 }),
    );
  }

  async appendShadowPair(record: ShadowPairRecord, attemptIndex: number): Promise<void> {
    await this.inTransaction(async (client) => {
      await insertRow(client, 'attempts', convertShadowAttemptRow(record, attemptIndex));
      await insertRow(client, 'shadow_pairs', convertShadowRow(record));
      return true;
    });
  }

  async summarizeShadow(since: number): Promise<ShadowGroup[]> {
    const result = await this.pool.query(
      `SELECT ${SHADOW_SUMMARY_COLUMNS} FROM shadow_pairs WHERE created_at >= $1
       GROUP BY from_model, to_model, route, task_type ORDER BY pairs DESC`,
      [convertTime(since)],
    );
    return result.rows.map(readShadowGroup);
  }

  async listDisagreements(since: number, limit: number): Promise<ShadowDisagreement[]> {
    const result = await this.pool.query(
      `SELECT * FROM shadow_pairs WHERE created_at >= $1 AND agreement = 0
       ORDER BY similarity ASC, created_at DESC LIMIT $2`,
      [convertTime(since), limit],
    );
    return result.rows.map(readShadowDisagreement);
  }

  async readRollouts(): Promise<RolloutState[]> {
    return (await this.pool.query('SELECT * FROM rollouts ORDER BY id')).rows.map(readRolloutState);
  }

  async updateRollout(
    next: Omit<RolloutState, 'version'>,
    expectedVersion: number,
    event: RolloutEvent,
  ): Promise<boolean> {
    return this.inTransaction(async (client) => {
      const values = [
        next.id,
        next.share,
        next.lastGoodShare,
        next.paused,
        convertTime(next.updatedAt),
        expectedVersion + 1,
      ];
      const result =
        expectedVersion === 0
          ? await client.query(
              `INSERT INTO rollouts (id, share, last_good_share, paused, updated_at, version)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
              values,
            )
          : await client.query(
              `UPDATE rollouts SET share = $2, last_good_share = $3, paused = $4, updated_at = $5, version = $6
               WHERE id = $1 AND version = $7`,
              [...values, expectedVersion],
            );
      if (result.rowCount !== 1) return false;
      await insertRow(client, 'rollout_events', {
        id: event.id,
        at: convertTime(event.at),
        from_share: event.fromShare,
        to_share: event.toShare,
        cause: event.cause,
        evidence: event.evidence ? JSON.stringify(event.evidence) : null,
      });
      return true;
    });
  }

  async listRolloutEvents(id: string | undefined, limit: number): Promise<RolloutEvent[]> {
    const result =
      id === undefined
        ? await this.pool.query('SELECT * FROM rollout_events ORDER BY at DESC LIMIT $1', [limit])
        : await this.pool.query('SELECT * FROM rollout_events WHERE id = $1 ORDER BY at DESC LIMIT $2', [
            id,
            limit,
          ]);
    return result.rows.map(readRolloutEvent);
  }

  async countRuleOutcomes(rule: string, since: number): Promise<{ requests: number; escalated: number }> {
    const result = await this.pool.query(
      'SELECT count(*) AS requests, count(*) FILTER (WHERE escalated) AS escalated FROM requests WHERE started_at >= $1 AND rule = $2',
      [convertTime(since), rule],
    );
    const row = result.rows[0] as Row;
    return { requests: Number(row.requests), escalated: Number(row.escalated ?? 0) };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs `work` in a transaction; rolled back when it returns false or throws. */
  private async inTransaction(work: (client: pg.PoolClient) => Promise<boolean>): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const keep = await work(client);
      await client.query(keep ? 'COMMIT' : 'ROLLBACK');
      return keep;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
