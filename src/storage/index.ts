export { BatchWriter } from './batch-writer.js';
export type { RequestLog, RequestLogRecord } from './request-log-record.js';
export { SqliteRequestLog } from './sqlite/sqlite-request-log.js';
