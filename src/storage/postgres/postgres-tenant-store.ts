import type pg from 'pg';
import {
  convertLimitsRow,
  convertTime,
  readKeyRow,
  readTenantRow,
  type TenantStoreRow,
} from '../convert-tenant-rows.js';
import type { SpendScope, Tenant, TenantStore, VirtualKey } from '../tenant-store.js';
import { openPostgresPool } from './open-postgres-pool.js';

const FOREIGN_KEY_VIOLATION = '23503';
const UNIQUE_VIOLATION = '23505';

/** Tenants and keys in the replicas' shared Postgres database, beside the request log. */
export class PostgresTenantStore implements TenantStore {
  private readonly pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Connects and migrates the schema; rejects when the database is unusable. */
  static async open(options: { url: string; maxConnections?: number }): Promise<PostgresTenantStore> {
    return new PostgresTenantStore(
      await openPostgresPool({ url: options.url, maxConnections: options.maxConnections ?? 4 }),
    );
  }

  async createTenant(tenant: Tenant): Promise<boolean> {
    const limits = convertLimitsRow(tenant);
    const result = await this.pool.query(
      `INSERT INTO tenants (name, created_at, budget_usd, budget_period, rpm, tpm, models)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
      [
        tenant.name,
        convertTime(tenant.createdAt),
        limits.budget_usd,
        limits.budget_period,
        limits.rpm,
        limits.tpm,
        limits.models,
      ],
    );
    return result.rowCount === 1;
  }

  async getTenant(name: string): Promise<Tenant | undefined> {
    const result = await this.pool.query<TenantStoreRow>('SELECT * FROM tenants WHERE name = $1', [name]);
    return result.rows[0] ? readTenantRow(result.rows[0]) : undefined;
  }

  async listTenants(): Promise<Tenant[]> {
    const result = await this.pool.query<TenantStoreRow>('SELECT * FROM tenants ORDER BY name');
    return result.rows.map(readTenantRow);
  }

  async createKey(key: VirtualKey): Promise<void> {
    const row: Record<string, unknown> = {
      id: key.id,
      tenant: key.tenant,
      hash: key.hash,
      prefix: key.prefix,
      created_at: convertTime(key.createdAt),
      expires_at: key.expiresAt === null ? null : convertTime(key.expiresAt),
      revoked_at: key.revokedAt === null ? null : convertTime(key.revokedAt),
      ...convertLimitsRow(key),
    };
    const columns = Object.keys(row);
    try {
      await this.pool.query(
        `INSERT INTO api_keys (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
        Object.values(row),
      );
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === FOREIGN_KEY_VIOLATION) throw new Error(`unknown tenant "${key.tenant}"`, { cause: error });
      if (code === UNIQUE_VIOLATION) {
        throw new Error(`key "${key.id}" not created: a key with this id or hash exists`, { cause: error });
      }
      throw error;
    }
  }

  async getKey(id: string): Promise<VirtualKey | undefined> {
    const result = await this.pool.query<TenantStoreRow>('SELECT * FROM api_keys WHERE id = $1', [id]);
    return result.rows[0] ? readKeyRow(result.rows[0]) : undefined;
  }

  async findKeyByHash(hash: string): Promise<VirtualKey | undefined> {
    const result = await this.pool.query<TenantStoreRow>('SELECT * FROM api_keys WHERE hash = $1', [hash]);
    return result.rows[0] ? readKeyRow(result.rows[0]) : undefined;
  }

  async listKeys(tenant?: string): Promise<VirtualKey[]> {
    const result =
      tenant === undefined
        ? await this.pool.query<TenantStoreRow>('SELECT * FROM api_keys ORDER BY created_at, id')
        : await this.pool.query<TenantStoreRow>(
            'SELECT * FROM api_keys WHERE tenant = $1 ORDER BY created_at, id',
            [tenant],
          );
    return result.rows.map(readKeyRow);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1',
      [id, convertTime(at)],
    );
    return result.rowCount === 1;
  }

  async sumSpend(scope: SpendScope, since: number): Promise<number> {
    // Served from the (tenant, started_at) and (key_id, started_at) indexes, which carry cost_usd.
    const [column, value] = 'tenant' in scope ? ['tenant', scope.tenant] : ['key_id', scope.keyId];
    const result = await this.pool.query<{ spent: number }>(
      `SELECT coalesce(sum(cost_usd), 0)::float8 AS spent FROM requests WHERE ${column} = $1 AND started_at >= $2`,
      [value, convertTime(since)],
    );
    return result.rows[0]?.spent ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
