import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogDestination, FLUSH_INTERVAL_MS } from './create-log-destination.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-logdest-'));
after(() => rmSync(directory, { recursive: true, force: true }));

async function waitForText(path: string, text: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (readFileSync(path, 'utf8').includes(text)) return true;
    await sleep(20);
  }
  return false;
}

describe('createLogDestination', () => {
  it('buffers lines, yet a quiet gateway’s line reaches the file without a flush or shutdown', async () => {
    const path = join(directory, 'quiet.log');
    const fd = openSync(path, 'w');
    const destination = createLogDestination(fd);
    destination.write('{"msg":"one request"}\n');
    // Far below the 4 KiB batch: only the periodic flush can write it.
    assert.equal(readFileSync(path, 'utf8'), '');
    assert.ok(await waitForText(path, 'one request', FLUSH_INTERVAL_MS * 8), 'the line was never written');
    destination.flushSync();
    closeSync(fd);
  });

  it('writes every line, in order, under a burst', async () => {
    const path = join(directory, 'burst.log');
    const fd = openSync(path, 'w');
    const destination = createLogDestination(fd);
    for (let index = 0; index < 2_000; index += 1) destination.write(`{"n":${index}}\n`);
    await new Promise<void>((resolve, reject) =>
      destination.flush((error) => (error ? reject(error) : resolve())),
    );
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 2_000);
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { n: number }).n),
      Array.from({ length: 2_000 }, (_, index) => index),
    );
    closeSync(fd);
  });
});
