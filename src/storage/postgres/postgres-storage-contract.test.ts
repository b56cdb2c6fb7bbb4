import { createTestDatabase } from '../../../test/support/postgres-test-database.js';
import type { OutcomeRow } from '../convert-outcome-rows.js';
import { describeRequestLog } from '../request-log.case.js';
import { describeTenantStore } from '../tenant-store.case.js';
import { POSTGRES_SCHEMA_VERSION } from './postgres-migrations.js';
import { PostgresRequestLog } from './postgres-request-log.js';
import { PostgresTenantStore } from './postgres-tenant-store.js';

/** A row as `convertRequestRow` shapes it: ISO times and 0/1 flags (jsonb comes back parsed). */
function normalize(row: Record<string, unknown>): OutcomeRow {
  const normal: Record<string, unknown> = { ...row };
  for (const [column, value] of Object.entries(row)) {
    if (value instanceof Date) normal[column] = value.toISOString();
    else if (typeof value === 'boolean') normal[column] = value ? 1 : 0;
  }
  return normal as OutcomeRow;
}

describeRequestLog('postgres', async () => {
  const database = await createTestDatabase();
  return {
    open: (options) => PostgresRequestLog.open({ url: database.url, onError: () => {}, ...options }),
    readRequests: async () =>
      (await database.query('SELECT * FROM requests ORDER BY id')).map((row) => normalize(row)),
    readAttempts: async () => database.query('SELECT * FROM attempts ORDER BY request_id, attempt_index'),
    refuseId: async (id) => {
      await database.query(`CREATE FUNCTION refuse_row() RETURNS trigger AS $$
        BEGIN IF NEW.id = '${id}' THEN RAISE EXCEPTION 'refused row'; END IF; RETURN NEW; END
        $$ LANGUAGE plpgsql`);
      await database.query(
        'CREATE TRIGGER refuse BEFORE INSERT ON requests FOR EACH ROW EXECUTE FUNCTION refuse_row()',
      );
    },
    markNewerSchema: async () => {
      await database.query('INSERT INTO switchyard_schema (version) VALUES ($1)', [
        POSTGRES_SCHEMA_VERSION + 1,
      ]);
    },
    dispose: () => database.drop(),
  };
});

describeTenantStore('postgres', async () => {
  const database = await createTestDatabase();
  const requestLog = await PostgresRequestLog.open({
    url: database.url,
    batchSize: 100,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  const tenants = await PostgresTenantStore.open({ url: database.url });
  return {
    tenants,
    requestLog,
    async dispose() {
      await Promise.all([requestLog.close(), tenants.close()]);
      await database.drop();
    },
  };
});
