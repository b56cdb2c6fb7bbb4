import type { BudgetPeriod, Limits, Tenant, VirtualKey } from './tenant-store.js';

/** A time as a store gives it back: ISO text (SQLite) or a Date (Postgres). */
type StoredTime = string | Date;

/** A `tenants` or `api_keys` row as a store returns it. */
export type TenantStoreRow = Record<string, unknown>;

/** The limit columns shared by `tenants` and `api_keys`; `models` is JSON text. */
export function convertLimitsRow(limits: Limits): Record<string, string | number | null> {
  return {
    budget_usd: limits.budgetUsd ?? null,
    budget_period: limits.budgetPeriod ?? null,
    rpm: limits.rpm ?? null,
    tpm: limits.tpm ?? null,
    models: limits.models ? JSON.stringify(limits.models) : null,
  };
}

/** Epoch ms as the stores keep times: ISO 8601 UTC, which SQLite compares as text and Postgres parses. */
export function convertTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function readTime(value: unknown): number {
  return new Date(value as StoredTime).getTime();
}

function readOptionalTime(value: unknown): number | null {
  return value === null || value === undefined ? null : readTime(value);
}

/** Limits that are set, and only those: a limit left out does not apply. */
function readLimits(row: TenantStoreRow): Limits {
  const limits: Limits = {};
  if (row.budget_usd !== null) limits.budgetUsd = Number(row.budget_usd);
  if (row.budget_period !== null) limits.budgetPeriod = row.budget_period as BudgetPeriod;
  if (row.rpm !== null) limits.rpm = Number(row.rpm);
  if (row.tpm !== null) limits.tpm = Number(row.tpm);
  if (row.models !== null) {
    limits.models = (typeof row.models === 'string' ? JSON.parse(row.models) : row.models) as string[];
  }
  return limits;
}

export function readTenantRow(row: TenantStoreRow): Tenant {
  return { name: row.name as string, createdAt: readTime(row.created_at), ...readLimits(row) };
}

export function readKeyRow(row: TenantStoreRow): VirtualKey {
  return {
    id: row.id as string,
    tenant: row.tenant as string,
    hash: row.hash as string,
    prefix: row.prefix as string,
    createdAt: readTime(row.created_at),
    expiresAt: readOptionalTime(row.expires_at),
    revokedAt: readOptionalTime(row.revoked_at),
    ...readLimits(row),
  };
}
