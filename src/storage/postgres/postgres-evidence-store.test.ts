import { createTestDatabase } from '../../../test/support/postgres-test-database.js';
import { describeEvidenceStore } from '../evidence-store.case.js';
import { PostgresEvidenceStore } from './postgres-evidence-store.js';
import { PostgresRequestLog } from './postgres-request-log.js';

describeEvidenceStore('postgres', async () => {
  const database = await createTestDatabase();
  const requestLog = await PostgresRequestLog.open({
    url: database.url,
    batchSize: 50,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  const evidence = await PostgresEvidenceStore.open({ url: database.url });
  return {
    evidence,
    requestLog,
    readAttempts: (id) =>
      database.query('SELECT * FROM attempts WHERE request_id = $1 ORDER BY attempt_index', [id]),
    async dispose() {
      await Promise.all([requestLog.close(), evidence.close()]);
      await database.drop();
    },
  };
});
