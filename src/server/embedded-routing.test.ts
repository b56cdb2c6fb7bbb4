import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { FakeUpstream } from '../../test/support/fake-upstream.js';
import { STORIES_GGUF, startTestGateway } from '../../test/support/start-test-gateway.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-embedded-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** The real embedded backend (stories260K.gguf) in front of a fake cloud. */
function startGateway(minConfidence: number, file: string) {
  return startTestGateway({
    upstreams: ['cloud'],
    listen: true,
    requestLogPath: join(directory, file),
    config: (urls) => ({
      models: {
        local: { provider: 'llama-cpp', model: STORIES_GGUF, contextSize: 256, threads: 1, gpu: false },
        cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
      },
      routing: {
        default: 'local',
        escalation: { from: 'local', to: 'cloud', minConfidence, onEmpty: false },
        residency: { pii: 'local' },
        fallbacks: { local: ['cloud'] },
      },
      storage: { flushIntervalMs: 10 },
    }),
  });
}

const story = { model: 'auto', max_tokens: 12, messages: [{ role: 'user', content: 'Once upon a time' }] };

describe('escalation on the embedded model’s own token probabilities', () => {
  it('escalates when the mean token probability is under the threshold, and logs that probability', async () => {
    // No answer has every token at probability 1, so a threshold of 1 always escalates.
    const gateway = await startGateway(1, 'always.db');
    try {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(story),
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-switchyard-escalated'), 'true');
      assert.match(
        String(response.headers.get('x-switchyard-route-reason')),
        /mean token probability 0\.\d\d is below 1/,
      );
      assert.equal((gateway.upstreams.cloud as FakeUpstream).requests.length, 1);
      await gateway.requestLog?.flush();
      const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
      const local = database
        .prepare("SELECT confidence, output_tokens FROM attempts WHERE model = 'local'")
        .get() as {
        confidence: number;
        output_tokens: number;
      };
      database.close();
      assert.ok(local.confidence > 0 && local.confidence < 1, `confidence ${local.confidence}`);
      assert.ok(local.output_tokens > 0);

      // Same low confidence, but the prompt carries a valid card number: residency forbids the cloud.
      const withCard = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...story,
          messages: [{ role: 'user', content: 'Card 4111 1111 1111 1111. Once' }],
        }),
      });
      assert.equal(withCard.headers.get('x-switchyard-route'), 'local');
      assert.equal(withCard.headers.get('x-switchyard-escalated'), 'false');
      assert.equal(
        (gateway.upstreams.cloud as FakeUpstream).requests.length,
        1,
        'the cloud saw no second request',
      );
    } finally {
      await gateway.close();
    }
  });

  it('keeps the answer local when its confidence clears the threshold', async () => {
    const gateway = await startGateway(0.000001, 'never.db');
    try {
      const ask = (content: string) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...story, messages: [{ role: 'user', content }] }),
        });
      const confident = await ask('Once upon a time');
      assert.equal(confident.headers.get('x-switchyard-route'), 'local');
      assert.equal(confident.headers.get('x-switchyard-escalated'), 'false');
      assert.equal((gateway.upstreams.cloud as FakeUpstream).requests.length, 0);
    } finally {
      await gateway.close();
    }
  });

  it('falls back to the cloud when a prompt does not fit the small model’s context, unless it holds PII', async () => {
    const gateway = await startGateway(0.000001, 'overflow.db');
    try {
      const long = 'word '.repeat(400);
      const ask = (content: string) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...story, messages: [{ role: 'user', content }] }),
        });
      const plain = await ask(long);
      assert.equal(plain.status, 200);
      assert.equal(plain.headers.get('x-switchyard-route'), 'cloud');
      assert.match(
        String(plain.headers.get('x-switchyard-route-reason')),
        /Fell back from local to cloud: context_length_exceeded/,
      );
      const withIban = await ask(`${long} DE89 3704 0044 0532 0130 00`);
      assert.equal(withIban.status, 400);
      assert.equal(
        ((await withIban.json()) as { error: { code: string } }).error.code,
        'context_length_exceeded',
      );
      assert.equal((gateway.upstreams.cloud as FakeUpstream).requests.length, 1);
    } finally {
      await gateway.close();
    }
  });
});
