import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutcome } from '../../test/support/create-outcome.js';
import type { RequestOutcome } from '../contract/index.js';
import { convertAttemptRows, convertRequestRow, type OutcomeRow } from './convert-outcome-rows.js';
import type { RequestLog } from './request-log.js';

/** One fresh, empty database of the store under test, read back through a connection of its own. */
export interface RequestLogDatabase {
  open(options: {
    batchSize: number;
    flushIntervalMs: number;
    onError?: (error: unknown, lostRows: number) => void;
  }): Promise<RequestLog>;
  /**
   * Every `requests` row, ordered by id, in `convertRequestRow`'s shape: ISO time, 0/1 flags,
   * `scores` parsed from JSON.
   */
  readRequests(): Promise<OutcomeRow[]>;
  /** Every `attempts` row, ordered by request id and index. */
  readAttempts(): Promise<OutcomeRow[]>;
  /** Makes the database refuse a `requests` row with this id, as a broken value would. */
  refuseId(id: string): Promise<void>;
  /** Records a schema version one past what this code knows, as a newer Switchyard would. */
  markNewerSchema(): Promise<void>;
  dispose(): Promise<void>;
}

function expectedRequestRow(outcome: RequestOutcome): OutcomeRow {
  const row = convertRequestRow(outcome);
  return { ...row, scores: row.scores === null ? null : JSON.parse(row.scores as string) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The behaviour every RequestLog must have, against a real database of its kind. */
export function describeRequestLog(name: string, createDatabase: () => Promise<RequestLogDatabase>): void {
  describe(`RequestLog contract: ${name}`, () => {
    const withDatabase = (test: (database: RequestLogDatabase) => Promise<void>) => async () => {
      const database = await createDatabase();
      try {
        await test(database);
      } finally {
        await database.dispose();
      }
    };

    it(
      'writes a request row and one row per attempt, each column as the outcome has it',
      withDatabase(async (database) => {
        const escalated = createOutcome('r1', { keyId: 'key-1' });
        const refused = createOutcome('r2', {
          stream: true,
          decision: null,
          reason: null,
          reasonText: null,
          escalation: null,
          attempts: [],
          servedModel: null,
          status: 429,
          error: { code: 'budget_exceeded', message: 'it\'s "over" \\ budget' },
          usage: null,
          costUsd: null,
          baselineCostUsd: null,
          user: null,
          timings: { latencyMs: 1.5, ttftMs: null, upstreamMs: 0, backoffMs: 0, overheadMs: 1.5 },
          content: { request: 'ünïcödé {braces} "quotes", commas', response: null },
        });
        const log = await database.open({ batchSize: 50, flushIntervalMs: 10_000 });
        log.append(escalated);
        log.append(refused);
        await log.close();
        assert.deepEqual(await database.readRequests(), [escalated, refused].map(expectedRequestRow));
        const [first] = await database.readRequests();
        assert.equal(first?.key_id, 'key-1');
        assert.equal(first?.cost_usd, escalated.costUsd);
        assert.equal(first?.started_at, '2026-11-24T12:00:00.000Z');
        assert.deepEqual(await database.readAttempts(), convertAttemptRows(escalated));
      }),
    );

    it(
      'keeps rows pending until a batch is full or flushed, and writes what is queued on close',
      withDatabase(async (database) => {
        const log = await database.open({ batchSize: 3, flushIntervalMs: 60_000 });
        log.append(createOutcome('b1'));
        log.append(createOutcome('b2'));
        await tick();
        assert.equal(log.pendingRows, 2);
        assert.equal((await database.readRequests()).length, 0, 'no batch is full yet');
        log.append(createOutcome('b3'));
        await waitFor(async () => (await database.readRequests()).length === 3);
        await waitFor(async () => log.pendingRows === 0);
        log.append(createOutcome('b4'));
        await log.flush();
        assert.equal(log.pendingRows, 0);
        assert.equal((await database.readRequests()).length, 4);
        log.append(createOutcome('b5'));
        await log.close();
        const ids = (await database.readRequests()).map((row) => row.id);
        assert.deepEqual(ids, ['b1', 'b2', 'b3', 'b4', 'b5']);
        assert.equal((await database.readAttempts()).length, 10);
      }),
    );

    it(
      'writes a partial batch once the flush interval has passed',
      withDatabase(async (database) => {
        const log = await database.open({ batchSize: 100, flushIntervalMs: 100 });
        log.append(createOutcome('t1'));
        await waitFor(async () => (await database.readRequests()).length === 1);
        await log.close();
      }),
    );

    it(
      'drops a row the database refuses, reports it, and keeps the rest of its batch',
      withDatabase(async (database) => {
        await (await database.open({ batchSize: 10, flushIntervalMs: 10_000 })).close();
        await database.refuseId('poison');
        const errors: number[] = [];
        const log = await database.open({
          batchSize: 10,
          flushIntervalMs: 10_000,
          onError: (_error, lost) => errors.push(lost),
        });
        for (const id of ['ok1', 'poison', 'ok2']) log.append(createOutcome(id));
        await log.close();
        assert.deepEqual(
          (await database.readRequests()).map((row) => row.id),
          ['ok1', 'ok2'],
        );
        assert.deepEqual(
          [...new Set((await database.readAttempts()).map((row) => row.request_id))],
          ['ok1', 'ok2'],
        );
        assert.deepEqual(errors, [1]);
        assert.equal(log.failedRows, 1);
      }),
    );

    it(
      'keeps the first row of a request id: a later one, in the same batch or another, is reported',
      withDatabase(async (database) => {
        const errors: number[] = [];
        const onError = (_error: unknown, lost: number) => errors.push(lost);
        const first = createOutcome('dup', { costUsd: 0.5 });
        const log = await database.open({ batchSize: 10, flushIntervalMs: 10_000, onError });
        log.append(first);
        log.append(createOutcome('dup', { costUsd: 0.75 }));
        log.append(createOutcome('one'));
        await log.close();
        const again = await database.open({ batchSize: 10, flushIntervalMs: 10_000, onError });
        again.append(createOutcome('dup', { costUsd: 2 }));
        again.append(createOutcome('two'));
        await again.close();
        assert.deepEqual(
          (await database.readRequests()).map((row) => [row.id, row.cost_usd]),
          [
            ['dup', 0.5],
            ['one', createOutcome('one').costUsd],
            ['two', createOutcome('two').costUsd],
          ],
        );
        assert.equal((await database.readAttempts()).filter((row) => row.request_id === 'dup').length, 2);
        assert.deepEqual(errors, [1, 1]);
        assert.equal(log.failedRows + again.failedRows, 2);
      }),
    );

    it(
      'refuses rows after close instead of dropping them silently',
      withDatabase(async (database) => {
        const log = await database.open({ batchSize: 10, flushIntervalMs: 10_000 });
        await log.close();
        assert.throws(() => log.append(createOutcome('late')), /closed/);
      }),
    );

    it(
      'reopens its own schema, and refuses one written by a newer version',
      withDatabase(async (database) => {
        const log = await database.open({ batchSize: 10, flushIntervalMs: 10_000 });
        log.append(createOutcome('kept'));
        await log.close();
        await (await database.open({ batchSize: 10, flushIntervalMs: 10_000 })).close();
        assert.equal((await database.readRequests()).length, 1);
        await database.markNewerSchema();
        await assert.rejects(
          database.open({ batchSize: 10, flushIntervalMs: 10_000 }),
          /written by a newer Switchyard \(schema \d+, this one knows \d+\)/,
        );
      }),
    );
  });
}
