/** A calendar period a budget runs over, in UTC. */
export type BudgetPeriod = 'day' | 'month';

/** Limits a tenant or a key may carry; each one left out does not apply. */
export interface Limits {
  /** USD that may be spent per `budgetPeriod`. */
  budgetUsd?: number;
  budgetPeriod?: BudgetPeriod;
  /** Requests per minute, across every replica. */
  rpm?: number;
  /** Tokens (input and output) per minute, across every replica. */
  tpm?: number;
  /** Configured model names (or aliases) this tenant or key may use; all when left out. */
  models?: string[];
}

/** A team using the gateway: its keys, spend and limits are counted together. */
export interface Tenant extends Limits {
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/**
 * A virtual API key. The key itself (`sy-...`) is shown once at creation and never stored: only
 * its sha256 is, with a short prefix to tell keys apart in listings.
 */
export interface VirtualKey extends Limits {
  /** Stable id, used to list, revoke and attribute spend. */
  id: string;
  tenant: string;
  /** sha256 of the full key, hex. */
  hash: string;
  /** The key's first characters (`sy-` and a few more), safe to show. */
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** Whose spend to sum. */
export type SpendScope = { tenant: string } | { keyId: string };

/**
 * Tenants and keys, kept beside the request log (SQLite for one node, Postgres for replicas). One
 * contract test suite runs against every implementation.
 */
export interface TenantStore {
  /** False when a tenant of that name exists (nothing is changed). */
  createTenant(tenant: Tenant): Promise<boolean>;
  getTenant(name: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  createKey(key: VirtualKey): Promise<void>;
  getKey(id: string): Promise<VirtualKey | undefined>;
  findKeyByHash(hash: string): Promise<VirtualKey | undefined>;
  /** Every key, or a tenant's. */
  listKeys(tenant?: string): Promise<VirtualKey[]>;
  /** False when there is no such key; revoking twice keeps the first time. */
  revokeKey(id: string, at: number): Promise<boolean>;
  /**
   * USD the request log holds for `scope` since `since` (epoch ms): the durable record that
   * spend counters are rebuilt from. Rows still queued for writing are not in it yet.
   */
  sumSpend(scope: SpendScope, since: number): Promise<number>;
  close(): Promise<void>;
}
