import { createTestDatabase } from '../../../test/support/postgres-test-database.js';
import { describeFeedbackStore } from '../feedback-store.case.js';
import { PostgresFeedbackStore } from './postgres-feedback-store.js';
import { PostgresOutcomeLogReader } from './postgres-outcome-log-reader.js';
import { PostgresRequestLog } from './postgres-request-log.js';

describeFeedbackStore('postgres', async () => {
  const database = await createTestDatabase();
  const requestLog = await PostgresRequestLog.open({
    url: database.url,
    batchSize: 50,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  const feedback = await PostgresFeedbackStore.open({ url: database.url });
  return {
    feedback,
    requestLog,
    openReader: () => PostgresOutcomeLogReader.open({ url: database.url }),
    insertShadowPair: async (row) => {
      const columns = Object.keys(row);
      await database.query(
        `INSERT INTO shadow_pairs (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`,
        Object.values(row),
      );
    },
    async dispose() {
      await Promise.all([requestLog.close(), feedback.close()]);
      await database.drop();
    },
  };
});
