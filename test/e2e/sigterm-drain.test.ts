import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createDefaultOpenAIReply, FakeUpstream } from '../support/fake-upstream.js';
import { startCliServer, writeRequestLogConfig } from '../support/start-cli-server.js';

const IN_FLIGHT = 16;

describe('SIGTERM with requests in flight', () => {
  let upstream: FakeUpstream;
  let dir: string;

  before(async () => {
    // Every answer takes a while, so all requests are still running when SIGTERM arrives.
    upstream = await FakeUpstream.start((body) => ({ ...createDefaultOpenAIReply(body), delayMs: 400 }));
    dir = mkdtempSync(join(tmpdir(), 'switchyard-drain-'));
  });
  after(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops accepting, finishes every accepted request, writes each row exactly once, then exits 0', async () => {
    const database = join(dir, 'drain.db');
    // Rows would wait a minute for their batch: only the shutdown flush can write them in time.
    const config = writeRequestLogConfig({
      dir,
      upstreamUrl: upstream.url,
      database,
      flushIntervalMs: 60_000,
    });
    const server = await startCliServer(['--config', config]);
    const requests = Array.from({ length: IN_FLIGHT }, async (_, index) => {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'auto',
          stream: index % 2 === 0,
          messages: [{ role: 'user', content: `request ${index}` }],
        }),
      });
      const body = await response.text();
      return { status: response.status, id: response.headers.get('x-request-id'), body };
    });
    while (upstream.requests.length < IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 10));

    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const late = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'too late' }] }),
    }).then(
      (response) => response.status,
      () => 'refused',
    );
    assert.ok(late === 'refused' || late === 503, `a request after SIGTERM got ${late}`);

    const answered = await Promise.all(requests);
    const [code] = (await once(server.child, 'exit')) as [number];
    assert.equal(code, 0, server.output());
    for (const answer of answered) {
      assert.equal(answer.status, 200);
      assert.match(answer.body, /Hello from the fake upstream|\[DONE\]/);
    }

    const rows = new Database(database, { readonly: true });
    const ids = (rows.prepare('SELECT id FROM requests').all() as { id: string }[]).map((row) => row.id);
    const attempts = rows.prepare('SELECT count(*) AS n FROM attempts').get() as { n: number };
    rows.close();
    assert.equal(ids.length, IN_FLIGHT, 'no accepted request lost');
    assert.equal(new Set(ids).size, IN_FLIGHT, 'none written twice');
    assert.deepEqual(ids.sort(), answered.map((answer) => answer.id).sort());
    assert.equal(attempts.n, IN_FLIGHT);
  });
});
