import type { BudgetPeriod, Limits, RequestStats, SpendQuery, TenantStore } from '../../storage/index.js';

/** The first millisecond of the UTC calendar day or month `now` is in (budgets run over these). */
function findPeriodStart(period: BudgetPeriod, now: number): number {
  const date = new Date(now);
  return period === 'day'
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())
    : Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function budgetOf(limits: Limits, now: number) {
  const period = limits.budgetPeriod ?? 'month';
  return {
    budgetUsd: limits.budgetUsd ?? null,
    period,
    periodStart: new Date(findPeriodStart(period, now)).toISOString(),
  };
}

/**
 * Spend of each tenant and key in its current budget period against its budget: the sums budgets
 * are held to, read by the statistics' own connection. Null when there are no tenants.
 */
export async function describeSpend(tenants: TenantStore, stats: RequestStats, now: number) {
  const [tenantList, keys] = await Promise.all([tenants.listTenants(), tenants.listKeys()]);
  if (tenantList.length === 0) return null;
  const queries: SpendQuery[] = [
    ...tenantList.map((tenant) => ({
      scope: 'tenant' as const,
      id: tenant.name,
      since: findPeriodStart(tenant.budgetPeriod ?? 'month', now),
    })),
    ...keys.map((key) => ({
      scope: 'key' as const,
      id: key.id,
      since: findPeriodStart(key.budgetPeriod ?? 'month', now),
    })),
  ];
  const spent = await stats.sumSpend(queries);
  return {
    tenants: tenantList.map((tenant, index) => ({
      tenant: tenant.name,
      ...budgetOf(tenant, now),
      spentUsd: spent[index] ?? 0,
      keys: keys
        .map((key, keyIndex) => ({ key, spentUsd: spent[tenantList.length + keyIndex] ?? 0 }))
        .filter(({ key }) => key.tenant === tenant.name)
        .map(({ key, spentUsd }) => ({
          id: key.id,
          prefix: key.prefix,
          revoked: key.revokedAt !== null,
          ...budgetOf(key, now),
          spentUsd,
        })),
    })),
  };
}
