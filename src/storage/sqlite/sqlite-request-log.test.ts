import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createOutcome } from '../../../test/support/create-outcome.js';
import { SqliteRequestLog } from './sqlite-request-log.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-log-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Resident bytes of the C heap (glibc's main arena: SQLite's page cache lives there), in MB. */
function readCHeapMb(): number {
  let inHeap = false;
  let kb = 0;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inHeap = line.endsWith('[heap]');
    else if (inHeap && line.startsWith('Rss:')) kb += Number(line.split(/\s+/)[1]);
  }
  return kb / 1024;
}

function openLog(path: string, onError: (error: unknown, lost: number) => void = () => {}) {
  return new SqliteRequestLog({ path, batchSize: 50, flushIntervalMs: 10_000, onError });
}

describe('SqliteRequestLog', () => {
  it('writes one request row and one row per attempt, in WAL mode', async () => {
    const path = join(directory, 'a.db');
    const log = openLog(path);
    log.append(createOutcome('r1'));
    assert.equal(log.pendingRows, 1);
    await log.close();
    const database = new Database(path, { readonly: true });
    assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
    const row = database.prepare('SELECT * FROM requests').get() as Record<string, unknown>;
    assert.equal(row.id, 'r1');
    assert.equal(row.started_at, '2026-11-24T12:00:00.000Z');
    assert.equal(row.escalated, 1);
    assert.equal(row.final_model, 'cloud');
    assert.equal(row.cost_usd, 0.014);
    assert.equal(row.input_tokens, 400);
    assert.deepEqual(JSON.parse(row.scores as string), {
      taskType: 'faq',
      taskTypeProbability: 0.9,
      complexity: 0.2,
      inputTokens: 400,
      hasTools: false,
      responseFormat: 'text',
      piiKinds: [],
      localOnly: false,
    });
    const attempts = database
      .prepare('SELECT model, role, status, cost_usd, model_id FROM attempts ORDER BY attempt_index')
      .all();
    assert.deepEqual(attempts, [
      { model: 'local', role: 'primary', status: 'ok', cost_usd: 0, model_id: null },
      { model: 'cloud', role: 'escalation', status: 'ok', cost_usd: 0.014, model_id: 'gpt-4o-2024-08-06' },
    ]);
    database.close();
  });

  it('writes a full batch without waiting for the timer, and reopens an existing file', async () => {
    const path = join(directory, 'b.db');
    const log = new SqliteRequestLog({ path, batchSize: 3, flushIntervalMs: 60_000, onError: () => {} });
    for (const id of ['x1', 'x2', 'x3']) log.append(createOutcome(id));
    await log.flush();
    assert.equal(log.pendingRows, 0);
    await log.close();
    const reopened = openLog(path);
    reopened.append(createOutcome('x4'));
    await reopened.close();
    const database = new Database(path, { readonly: true });
    assert.equal((database.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n, 4);
    database.close();
  });

  it('keeps the good rows of a transaction that holds a bad one, and reports the loss', async () => {
    const path = join(directory, 'c.db');
    const errors: number[] = [];
    const log = openLog(path, (_error, lost) => errors.push(lost));
    log.append(createOutcome('dup'));
    log.append(createOutcome('ok1'));
    log.append(createOutcome('dup'));
    log.append(createOutcome('ok2'));
    await log.close();
    const database = new Database(path, { readonly: true });
    const ids = database.prepare('SELECT id FROM requests ORDER BY id').all();
    assert.deepEqual(ids, [{ id: 'dup' }, { id: 'ok1' }, { id: 'ok2' }]);
    assert.deepEqual(errors, [1]);
    database.close();
  });

  it('commits after the flush interval or a full batch, not before; uncommitted rows are pending', async () => {
    const path = join(directory, 'e.db');
    const log = new SqliteRequestLog({ path, batchSize: 3, flushIntervalMs: 150, onError: () => {} });
    const reader = new Database(path, { readonly: true });
    const count = () => (reader.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n;
    log.append(createOutcome('t1'));
    await new Promise((resolve) => setImmediate(resolve));
    // Written into the open transaction, which another connection (or a crash) does not see yet.
    assert.equal(count(), 0);
    assert.equal(log.pendingRows, 1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(count(), 1);
    assert.equal(log.pendingRows, 0);
    for (const id of ['b1', 'b2', 'b3']) log.append(createOutcome(id));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(count(), 4, 'a full batch is committed at once');
    assert.equal(log.pendingRows, 0);
    await log.close();
    reader.close();
  });

  it('reports every row of a transaction that SQLite rolled back as lost, and goes on', async () => {
    const path = join(directory, 'f.db');
    await openLog(path).close();
    const setup = new Database(path);
    // RAISE(ROLLBACK) ends the whole transaction, as a full disk or an I/O error can.
    setup.exec(`CREATE TRIGGER poison BEFORE INSERT ON requests WHEN NEW.id = 'poison'
      BEGIN SELECT RAISE(ROLLBACK, 'poisoned row'); END`);
    setup.close();
    const errors: number[] = [];
    const log = openLog(path, (_error, lost) => errors.push(lost));
    for (const id of ['ok1', 'ok2', 'poison', 'ok3']) log.append(createOutcome(id));
    await log.close();
    const database = new Database(path, { readonly: true });
    assert.deepEqual(database.prepare('SELECT id FROM requests').all(), [{ id: 'ok3' }]);
    assert.deepEqual(database.prepare('SELECT DISTINCT request_id FROM attempts').all(), [
      { request_id: 'ok3' },
    ]);
    assert.deepEqual(errors, [3]);
    assert.equal(log.failedRows, 3);
    database.close();
  });

  it('keeps a request row only with all its attempt rows', async () => {
    const path = join(directory, 'g.db');
    await openLog(path).close();
    const setup = new Database(path);
    setup.exec(`CREATE TRIGGER bad_attempt BEFORE INSERT ON attempts
      WHEN NEW.request_id = 'half' AND NEW.attempt_index = 1 BEGIN SELECT RAISE(ABORT, 'bad attempt'); END`);
    setup.close();
    const errors: number[] = [];
    const log = openLog(path, (_error, lost) => errors.push(lost));
    for (const id of ['before', 'half', 'after']) log.append(createOutcome(id));
    await log.close();
    const database = new Database(path, { readonly: true });
    assert.deepEqual(database.prepare('SELECT id FROM requests ORDER BY id').all(), [
      { id: 'after' },
      { id: 'before' },
    ]);
    assert.equal(
      (
        database.prepare("SELECT count(*) AS n FROM attempts WHERE request_id = 'half'").get() as {
          n: number;
        }
      ).n,
      0,
    );
    assert.deepEqual(errors, [1]);
    database.close();
  });

  it('refuses rows after close instead of dropping them silently', async () => {
    const log = openLog(join(directory, 'd.db'));
    await log.close();
    assert.throws(() => log.append(createOutcome('late')), /closed/);
  });

  it('holds a small page cache: 40 MB of rows leave the C heap about where it was', async () => {
    // better-sqlite3's default page cache is 16 MB; this connection only appends and needs little.
    const log = new SqliteRequestLog({
      path: join(directory, 'cache.db'),
      batchSize: 200,
      flushIntervalMs: 10_000,
      onError: () => {},
    });
    const before = readCHeapMb();
    const content = 'x'.repeat(2_000);
    for (let index = 0; index < 20_000; index += 1) {
      log.append(createOutcome(`cache-${index}`, { content: { request: content, response: content } }));
      if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    await log.flush();
    const grown = readCHeapMb() - before;
    await log.close();
    assert.ok(grown < 8, `the C heap grew by ${grown.toFixed(1)} MB`);
  });
});
