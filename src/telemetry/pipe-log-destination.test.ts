import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogDestination, FLUSH_INTERVAL_MS } from './create-log-destination.js';
import { PipeLogDestination } from './pipe-log-destination.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-logpipe-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** A named pipe with a non-blocking reader (so nothing is read until the test reads) and a writer. */
function openPipe(name: string): { reader: number; writer: number; close(): void } {
  const path = join(directory, name);
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY);
  return {
    reader,
    writer,
    close() {
      closeSync(writer);
      closeSync(reader);
    },
  };
}

/** Everything the pipe holds now, as bytes (a read can end inside a character). */
function readAvailable(fd: number): Buffer {
  const chunk = Buffer.alloc(65_536);
  const parts: Buffer[] = [];
  for (;;) {
    try {
      const count = readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) break;
      parts.push(Buffer.from(chunk.subarray(0, count)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw error;
    }
  }
  return Buffer.concat(parts);
}

/** Reads the pipe until `destination` has flushed everything into it. */
async function readUntilFlushed(
  fd: number,
  destination: { flush(callback: (error?: Error) => void): void },
): Promise<string> {
  let finished: Error | null | undefined;
  destination.flush((error) => {
    finished = error ?? null;
  });
  const parts: Buffer[] = [];
  while (finished === undefined) {
    parts.push(readAvailable(fd));
    await sleep(5);
  }
  if (finished) throw finished;
  parts.push(readAvailable(fd));
  return Buffer.concat(parts).toString('utf8');
}

describe('PipeLogDestination', () => {
  it('is what createLogDestination picks for a pipe, and writes a quiet line within the flush interval', async () => {
    const pipe = openPipe('quiet');
    const destination = createLogDestination(pipe.writer);
    assert.ok(destination instanceof PipeLogDestination);
    destination.write('{"msg":"one request"}\n');
    // Far below the 4 KiB batch: only the periodic flush writes it.
    assert.equal(readAvailable(pipe.reader).length, 0);
    let text = '';
    const deadline = Date.now() + FLUSH_INTERVAL_MS * 8;
    while (!text.includes('one request') && Date.now() < deadline) {
      await sleep(20);
      text += readAvailable(pipe.reader).toString('utf8');
    }
    assert.equal(text, '{"msg":"one request"}\n');
    pipe.close();
  });

  it('never blocks on a reader that stops: keeps up to its cap, counts the rest, and says so at the gap', async () => {
    const pipe = openPipe('stalled');
    const destination = createLogDestination(pipe.writer);
    // About 16 MB of lines into a 64 KiB pipe nobody reads: a blocking write would hang here.
    const line = (index: number) => `{"n":${index},"pad":"${'x'.repeat(150)}"}\n`;
    const total = 100_000;
    for (let index = 0; index < total; index += 1) destination.write(line(index));
    // The reader catches up: read while the destination drains; then the gateway logs on.
    let text = await readUntilFlushed(pipe.reader, destination);
    destination.write('{"after":"the stall"}\n');
    text += await readUntilFlushed(pipe.reader, destination);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((each) => JSON.parse(each) as Record<string, unknown>);
    const kept = lines.filter((each) => typeof each.n === 'number').map((each) => each.n as number);
    // The first lines, in order, none torn or repeated.
    assert.deepEqual(
      kept,
      Array.from({ length: kept.length }, (_, index) => index),
    );
    assert.ok(kept.length > 1_000 && kept.length < total, `kept ${kept.length} of ${total}`);
    const note = lines[kept.length] as { dropped?: number; msg?: string };
    assert.match(String(note.msg), /log lines dropped/);
    assert.equal(note.dropped, total - kept.length);
    assert.deepEqual(lines[kept.length + 1], { after: 'the stall' });
    assert.equal(lines.length, kept.length + 2);
    pipe.close();
  });

  it('keeps a multi-byte character whole when the pipe takes a write only in part', async () => {
    const pipe = openPipe('partial');
    const destination = createLogDestination(pipe.writer);
    // 70,000 bytes of three-byte characters: more than the pipe holds, cut wherever it fills.
    const line = `{"text":"${'€'.repeat(23_000)}"}\n`;
    destination.write(line);
    assert.equal(await readUntilFlushed(pipe.reader, destination), line);
    pipe.close();
  });
});
