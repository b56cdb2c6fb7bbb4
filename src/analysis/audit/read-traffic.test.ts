import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createDecision, createOutcome, SAMPLE_USAGE } from '../../../test/support/create-outcome.js';
import { SqliteRequestLog } from '../../storage/index.js';
import { readCsvTraffic, readJsonlTraffic, readTraffic } from './read-traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-traffic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('reading recorded traffic', () => {
  it('reads OpenAI requests with content parts, and the usage and answer of a recorded response', () => {
    const [entry] = readJsonlTraffic(
      `${JSON.stringify({
        request: {
          model: 'gpt-4o',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Hi ' },
                { type: 'text', text: 'there' },
              ],
            },
          ],
        },
        response: {
          choices: [{ message: { content: 'Hello!' } }],
          usage: { prompt_tokens: 9, completion_tokens: 2 },
        },
      })}\n\n`,
    );
    assert.deepEqual(entry, {
      request: { messages: [{ role: 'user', content: 'Hi there' }] },
      model: 'gpt-4o',
      inputTokens: 9,
      outputTokens: 2,
      responseText: 'Hello!',
    });
    assert.throws(() => readJsonlTraffic('{"messages": []}'), /line 1: "messages" must be a non-empty array/);
  });

  it('names the columns when the CSV has no recognisable text column', () => {
    assert.throws(
      () => readCsvTraffic('id,body\n1,hello\n'),
      /no text column \(columns: id, body\); pass --text-column/,
    );
    assert.equal(readCsvTraffic('id,body\n1,hello\n', 'body')[0]?.request.messages[0]?.content, 'hello');
  });

  it('reads Switchyard’s own request log, keeping the PII kinds the gateway found', async () => {
    const path = join(dir, 'log.db');
    const log = new SqliteRequestLog({ path, batchSize: 10, flushIntervalMs: 10, onError: () => {} });
    log.append(
      createOutcome('01', {
        requestedModel: 'gpt-4o',
        decision: createDecision('local', { piiKinds: ['iban'], localOnly: true }),
        usage: { ...SAMPLE_USAGE, inputTokens: 30, outputTokens: 5 },
        content: { request: 'user: pay [IBAN] now', response: 'done' },
      }),
    );
    await log.close();
    const [entry] = await readTraffic(path, 'switchyard-log');
    assert.deepEqual(entry, {
      request: { messages: [{ role: 'user', content: 'user: pay [IBAN] now' }] },
      model: 'gpt-4o',
      inputTokens: 30,
      outputTokens: 5,
      responseText: 'done',
      piiKinds: ['iban'],
    });
  });
});
