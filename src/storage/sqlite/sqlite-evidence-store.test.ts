import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { describeEvidenceStore } from '../evidence-store.case.js';
import { SqliteEvidenceStore } from './sqlite-evidence-store.js';
import { SqliteRequestLog } from './sqlite-request-log.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-evidence-'));
after(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

describeEvidenceStore('sqlite', async () => {
  files += 1;
  const requestLog = new SqliteRequestLog({
    path: join(directory, `e-${files}.db`),
    batchSize: 50,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  return {
    evidence: new SqliteEvidenceStore(requestLog),
    requestLog,
    readAttempts: async (id) =>
      requestLog.read(
        (database) =>
          database
            .prepare('SELECT * FROM attempts WHERE request_id = ? ORDER BY attempt_index')
            .all(id) as Record<string, unknown>[],
      ),
    dispose: () => requestLog.close(),
  };
});
