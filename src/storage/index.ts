export { MemoryQuotaStore } from './memory/memory-quota-store.js';
export { PostgresRequestLog } from './postgres/postgres-request-log.js';
export { PostgresTenantStore } from './postgres/postgres-tenant-store.js';
export type {
  BudgetCheck,
  QuotaDecision,
  QuotaRefusal,
  QuotaReservation,
  QuotaStore,
  RateCheck,
  RateState,
} from './quota-store.js';
export { RedisQuotaStore } from './redis/redis-quota-store.js';
export type { RequestLog } from './request-log.js';
export { type LoggedRequest, readRequestLogFile } from './sqlite/read-sqlite-request-log.js';
export { SqliteRequestLog } from './sqlite/sqlite-request-log.js';
export { SqliteTenantStore } from './sqlite/sqlite-tenant-store.js';
export type { BudgetPeriod, Limits, SpendScope, Tenant, TenantStore, VirtualKey } from './tenant-store.js';
