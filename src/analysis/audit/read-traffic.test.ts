import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
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
    log.append({
      id: '01',
      startedAt: 0,
      tenant: null,
      user: null,
      requestedModel: 'gpt-4o',
      route: 'local',
      rule: 'pii',
      reason: 'r',
      scores: { piiKinds: ['iban'] },
      escalated: false,
      escalationReason: null,
      finalModel: 'local',
      status: 200,
      errorCode: null,
      errorMessage: null,
      stream: false,
      ttftMs: 1,
      latencyMs: 2,
      usage: {
        inputTokens: 30,
        outputTokens: 5,
        cachedInputTokens: 0,
        cacheWriteInputTokens: 0,
        reasoningTokens: 0,
        source: 'upstream',
      },
      costUsd: 0,
      baselineCostUsd: 0.0001,
      configHash: 'h',
      requestContent: 'user: pay [IBAN] now',
      responseContent: 'done',
      attempts: [],
    });
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
