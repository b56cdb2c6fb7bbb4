export type { RequestLog } from './request-log.js';
export { type LoggedRequest, readRequestLogFile } from './sqlite/read-sqlite-request-log.js';
export { SqliteRequestLog } from './sqlite/sqlite-request-log.js';
export type { BudgetPeriod, Limits, SpendScope, Tenant, TenantStore, VirtualKey } from './tenant-store.js';
export { MemoryQuotaStore } from './memory/memory-quota-store.js';
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
