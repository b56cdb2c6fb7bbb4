export type {
  EvidenceStore,
  RolloutEvent,
  RolloutState,
  ShadowDisagreement,
  ShadowGroup,
  ShadowPairRecord,
  ShadowScores,
} from './evidence-store.js';
export type { FeedbackGroup, FeedbackRecord, FeedbackStore, FeedbackTarget } from './feedback-store.js';
export { MemoryQuotaStore } from './memory/memory-quota-store.js';
export type { LoggedOutcome, LoggedShadowPair, OutcomeLogReader } from './outcome-log-reader.js';
export { PostgresEvidenceStore } from './postgres/postgres-evidence-store.js';
export { PostgresFeedbackStore } from './postgres/postgres-feedback-store.js';
export { PostgresOutcomeLogReader } from './postgres/postgres-outcome-log-reader.js';
export { PostgresRequestLog } from './postgres/postgres-request-log.js';
export { PostgresRequestStats } from './postgres/postgres-request-stats.js';
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
export type {
  AttemptDetail,
  GroupCount,
  ModelLatency,
  Percentiles,
  RequestDetail,
  RequestPage,
  RequestStats,
  RequestSummary,
  SpendQuery,
  StatsBucket,
  StatsCounts,
  StatsEvidence,
  StatsFilter,
  StatsOverview,
  StatsQuery,
} from './request-stats.js';
export { createEmptyCounts } from './request-stats.js';
export { type LoggedRequest, readRequestLogFile } from './sqlite/read-sqlite-request-log.js';
export { SqliteEvidenceStore } from './sqlite/sqlite-evidence-store.js';
export { SqliteFeedbackStore } from './sqlite/sqlite-feedback-store.js';
export { SqliteOutcomeLogReader } from './sqlite/sqlite-outcome-log-reader.js';
export { SqliteRequestLog } from './sqlite/sqlite-request-log.js';
export { SqliteRequestStats } from './sqlite/sqlite-request-stats.js';
export { SqliteTenantStore } from './sqlite/sqlite-tenant-store.js';
export type { BudgetPeriod, Limits, SpendScope, Tenant, TenantStore, VirtualKey } from './tenant-store.js';
