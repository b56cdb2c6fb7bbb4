import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { FakeUpstream } from '../support/fake-upstream.js';
import { startCliServer, writeRequestLogConfig } from '../support/start-cli-server.js';

const FLUSH_INTERVAL_MS = 200;

describe('kill -9 during load', () => {
  let upstream: FakeUpstream;
  let dir: string;
  before(async () => {
    upstream = await FakeUpstream.start();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-crash-'));
  });
  after(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves an intact database that holds every answered request but the last flush interval, none twice', async () => {
    const database = join(dir, 'crash.db');
    const config = writeRequestLogConfig({
      dir,
      upstreamUrl: upstream.url,
      database,
      flushIntervalMs: FLUSH_INTERVAL_MS,
    });
    const server = await startCliServer(['--config', config]);
    const answered: { id: string; at: number }[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const response = await fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hello' }] }),
        }).catch(() => undefined);
        if (!response) return;
        await response.text().catch(() => undefined);
        if (response.status === 200)
          answered.push({ id: response.headers.get('x-request-id') as string, at: performance.now() });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const killedAt = performance.now();
    server.child.kill('SIGKILL');
    running = false;
    await once(server.child, 'exit');
    await Promise.all(workers);

    const rows = new Database(database, { readonly: true });
    assert.equal(rows.pragma('integrity_check', { simple: true }), 'ok');
    const ids = (rows.prepare('SELECT id FROM requests').all() as { id: string }[]).map((row) => row.id);
    rows.close();
    assert.equal(new Set(ids).size, ids.length, 'no row twice');
    const answeredIds = new Set(answered.map((entry) => entry.id));
    assert.ok(
      ids.every((id) => answeredIds.has(id)),
      'no row for a request nobody answered',
    );
    // Rows wait at most one flush interval in memory; allow one more for the write itself.
    const safe = answered.filter((entry) => entry.at < killedAt - 2 * FLUSH_INTERVAL_MS);
    const stored = new Set(ids);
    const lost = safe.filter((entry) => !stored.has(entry.id));
    assert.ok(safe.length > 50, `only ${safe.length} answered before the window`);
    assert.deepEqual(lost, [], `${lost.length} rows older than two flush intervals are missing`);

    // The same file serves again after a restart.
    const restarted = await startCliServer(['--config', config]);
    const response = await fetch(`${restarted.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'again' }] }),
    });
    assert.equal(response.status, 200);
    assert.equal(await restarted.stop(), 0);
    const reopened = new Database(database, { readonly: true });
    assert.equal(reopened.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(
      (reopened.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n,
      ids.length + 1,
    );
    reopened.close();
  });
});
