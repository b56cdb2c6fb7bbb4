export type { RequestLog } from './request-log.js';
export { type LoggedRequest, readRequestLogFile } from './sqlite/read-sqlite-request-log.js';
export { SqliteRequestLog } from './sqlite/sqlite-request-log.js';
export type { BudgetPeriod, Limits, SpendScope, Tenant, TenantStore, VirtualKey } from './tenant-store.js';
