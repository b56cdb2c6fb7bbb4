import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';
import { describeFeedbackStore } from '../feedback-store.case.js';
import { SqliteFeedbackStore } from './sqlite-feedback-store.js';
import { SqliteOutcomeLogReader } from './sqlite-outcome-log-reader.js';
import { SqliteRequestLog } from './sqlite-request-log.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-feedback-'));
after(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

function insertShadowPair(path: string, row: Record<string, unknown>): void {
  const database = new Database(path);
  try {
    const columns = Object.keys(row);
    database
      .prepare(
        `INSERT INTO shadow_pairs (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      )
      .run(row);
  } finally {
    database.close();
  }
}

// As the gateway composes it: the feedback store on the request log's connection.
describeFeedbackStore('sqlite', async () => {
  files += 1;
  const path = join(directory, `f-${files}.db`);
  const requestLog = new SqliteRequestLog({
    path,
    batchSize: 50,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  return {
    feedback: new SqliteFeedbackStore({ requestLog }),
    requestLog,
    openReader: async () => new SqliteOutcomeLogReader({ path }),
    insertShadowPair: async (row) => insertShadowPair(path, row),
    dispose: () => requestLog.close(),
  };
});

// As the CLI opens it beside a running gateway: a connection of its own.
describeFeedbackStore('sqlite, own connection', async () => {
  files += 1;
  const path = join(directory, `f-${files}.db`);
  const requestLog = new SqliteRequestLog({
    path,
    batchSize: 50,
    flushIntervalMs: 10_000,
    onError: () => {},
  });
  const feedback = new SqliteFeedbackStore({ path });
  return {
    feedback,
    requestLog,
    openReader: async () => new SqliteOutcomeLogReader({ path }),
    insertShadowPair: async (row) => insertShadowPair(path, row),
    async dispose() {
      await feedback.close();
      await requestLog.close();
    },
  };
});
