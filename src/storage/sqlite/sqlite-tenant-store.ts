import type { Database as SqliteDatabase } from 'better-sqlite3';
import {
  convertLimitsRow,
  convertTime,
  readKeyRow,
  readTenantRow,
  type TenantStoreRow,
} from '../convert-tenant-rows.js';
import type { SpendScope, Tenant, TenantStore, VirtualKey } from '../tenant-store.js';
import { openSqliteDatabase } from './open-sqlite-database.js';
import type { SqliteRequestLog } from './sqlite-request-log.js';

/**
 * Tenants and keys in the request log's SQLite file. In the gateway's process it shares the
 * request log's connection (`requestLog`), writing between two of its batches; elsewhere (the CLI
 * beside a running gateway) it opens the file itself (`path`) and waits, up to SQLite's busy
 * timeout, for the gateway's open batch to commit.
 */
export class SqliteTenantStore implements TenantStore {
  private readonly owned: SqliteDatabase | undefined;
  private readonly requestLog: SqliteRequestLog | undefined;

  constructor(options: { path: string } | { requestLog: SqliteRequestLog }) {
    if ('path' in options) this.owned = openSqliteDatabase(options.path);
    else this.requestLog = options.requestLog;
  }

  async createTenant(tenant: Tenant): Promise<boolean> {
    const result = this.write((database) =>
      database
        .prepare(
          `INSERT INTO tenants (name, created_at, budget_usd, budget_period, rpm, tpm, models)
           VALUES (@name, @created_at, @budget_usd, @budget_period, @rpm, @tpm, @models)
           ON CONFLICT (name) DO NOTHING`,
        )
        .run({ name: tenant.name, created_at: convertTime(tenant.createdAt), ...convertLimitsRow(tenant) }),
    );
    return result.changes === 1;
  }

  async getTenant(name: string): Promise<Tenant | undefined> {
    const row = this.read((database) => database.prepare('SELECT * FROM tenants WHERE name = ?').get(name));
    return row ? readTenantRow(row as TenantStoreRow) : undefined;
  }

  async listTenants(): Promise<Tenant[]> {
    const rows = this.read((database) => database.prepare('SELECT * FROM tenants ORDER BY name').all());
    return (rows as TenantStoreRow[]).map(readTenantRow);
  }

  async createKey(key: VirtualKey): Promise<void> {
    const row = {
      id: key.id,
      tenant: key.tenant,
      hash: key.hash,
      prefix: key.prefix,
      created_at: convertTime(key.createdAt),
      expires_at: key.expiresAt === null ? null : convertTime(key.expiresAt),
      revoked_at: key.revokedAt === null ? null : convertTime(key.revokedAt),
      ...convertLimitsRow(key),
    };
    this.write((database) => {
      // The connection leaves foreign keys off (the request log's inserts need no checks), so the
      // tenant is checked here, in the same transaction.
      if (!database.prepare('SELECT 1 FROM tenants WHERE name = ?').get(key.tenant)) {
        throw new Error(`unknown tenant "${key.tenant}"`);
      }
      const columns = Object.keys(row);
      try {
        database
          .prepare(
            `INSERT INTO api_keys (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`,
          )
          .run(row);
      } catch (error) {
        if (
          (error as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY' &&
          (error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE'
        )
          throw error;
        throw new Error(`key "${key.id}" not created: a key with this id or hash exists`, { cause: error });
      }
    });
  }

  async getKey(id: string): Promise<VirtualKey | undefined> {
    const row = this.read((database) => database.prepare('SELECT * FROM api_keys WHERE id = ?').get(id));
    return row ? readKeyRow(row as TenantStoreRow) : undefined;
  }

  async findKeyByHash(hash: string): Promise<VirtualKey | undefined> {
    const row = this.read((database) => database.prepare('SELECT * FROM api_keys WHERE hash = ?').get(hash));
    return row ? readKeyRow(row as TenantStoreRow) : undefined;
  }

  async listKeys(tenant?: string): Promise<VirtualKey[]> {
    const rows = this.read((database) =>
      tenant === undefined
        ? database.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all()
        : database.prepare('SELECT * FROM api_keys WHERE tenant = ? ORDER BY created_at, id').all(tenant),
    );
    return (rows as TenantStoreRow[]).map(readKeyRow);
  }

  async revokeKey(id: string, at: number): Promise<boolean> {
    return this.write((database) => {
      const result = database
        .prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
        .run(convertTime(at), id);
      return result.changes === 1;
    });
  }

  async sumSpend(scope: SpendScope, since: number): Promise<number> {
    // Served by the (tenant, started_at) and (key_id, started_at) indexes.
    const [column, value] = 'tenant' in scope ? ['tenant', scope.tenant] : ['key_id', scope.keyId];
    const row = this.read((database) =>
      database
        .prepare(`SELECT total(cost_usd) AS spent FROM requests WHERE ${column} = ? AND started_at >= ?`)
        .get(value, convertTime(since)),
    ) as { spent: number };
    return row.spent;
  }

  async close(): Promise<void> {
    // A shared connection belongs to the request log, which closes it.
    if (this.owned?.open) this.owned.close();
  }

  private read<T>(work: (database: SqliteDatabase) => T): T {
    return this.owned ? work(this.owned) : (this.requestLog as SqliteRequestLog).read(work);
  }

  private write<T>(work: (database: SqliteDatabase) => T): T {
    // IMMEDIATE takes the write lock first (waiting for another process's batch if need be), so a
    // read inside `work` cannot go stale before its write.
    if (this.owned) return this.owned.transaction(work).immediate(this.owned);
    return (this.requestLog as SqliteRequestLog).runBetweenBatches((database) =>
      database.transaction(work).immediate(database),
    );
  }
}
