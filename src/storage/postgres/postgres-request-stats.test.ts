import { createTestDatabase } from '../../../test/support/postgres-test-database.js';
import { describeRequestStats } from '../request-stats.case.js';
import { PostgresRequestLog } from './postgres-request-log.js';
import { PostgresRequestStats } from './postgres-request-stats.js';

describeRequestStats('postgres', async () => {
  const database = await createTestDatabase();
  const requestLog = await PostgresRequestLog.open({
    url: database.url,
    batchSize: 500,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  return {
    requestLog,
    stats: await PostgresRequestStats.open({ url: database.url }),
    query: (sql, values = []) => {
      let index = 0;
      return database.query(
        sql.replace(/\?/g, () => `$${++index}`),
        values,
      );
    },
    write: async (sql, values = []) => {
      let index = 0;
      await database.query(
        sql.replace(/\?/g, () => `$${++index}`),
        values,
      );
    },
    isTrue: (column) => column,
    async dispose() {
      await requestLog.close();
      await database.drop();
    },
  };
});
