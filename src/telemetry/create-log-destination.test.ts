import assert from 'node:assert/strict';
import { type SpawnOptionsWithStdioTuple, type StdioNull, type StdioPipe, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogDestination, flushLogDestination } from './create-log-destination.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-logdest-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const moduleUrl = new URL('./create-log-destination.ts', import.meta.url).href;

/**
 * A child process that logs `count` lines of about 200 bytes through pino to its stdout, in two
 * bursts, then ends: with `process.exit` after `flushLogDestination`, as the gateway's shutdown does
 * (`flush`), or once its event loop is empty, as a CLI command does (`return`). Its stdout is what
 * Node's `spawn` gives (a socket pair on Linux), or a real pipe (`| cat`), as under a container
 * runtime or a shell.
 */
function spawnLogger(count: number, ending: 'flush' | 'return', through: 'socket' | 'pipe' = 'socket') {
  const script = `
    import { pino } from 'pino';
    const { createLogDestination, flushLogDestination } = await import(${JSON.stringify(moduleUrl)});
    const destination = createLogDestination();
    const logger = pino({ base: null, timestamp: false }, destination);
    for (let n = 0; n < ${count}; n += 1) {
      logger.info({ n, pad: 'x'.repeat(180) });
      // Half-way, the event loop turns: writes start, and one finds the pipe full.
      if (n === ${Math.floor(count / 2)}) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (${JSON.stringify(ending)} === 'flush') {
      await flushLogDestination(destination);
      process.exit(0);
    }
  `;
  const node = ['--import', 'tsx', '--input-type=module', '-e', script];
  const options: SpawnOptionsWithStdioTuple<StdioNull, StdioPipe, StdioNull> = {
    stdio: ['ignore', 'pipe', 'inherit'],
  };
  return through === 'pipe'
    ? spawn('/bin/sh', ['-c', '"$@" | cat', 'sh', process.execPath, ...node], options)
    : spawn(process.execPath, node, options);
}

/** Reads the child's stdout, from `delayMs` on (until then the pipe fills and writes wait), to its exit. */
async function readLines(child: ReturnType<typeof spawnLogger>, delayMs = 0): Promise<number[]> {
  const stdout = child.stdout;
  stdout.pause();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await sleep(delayMs);
  stdout.resume();
  const [[code]] = await Promise.all([once(child, 'exit'), once(stdout, 'end')]);
  assert.equal(code, 0);
  return Buffer.concat(chunks)
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((line) => (JSON.parse(line) as { n: number }).n);
}

const upTo = (count: number) => Array.from({ length: count }, (_, index) => index);

describe('createLogDestination', () => {
  it('writes every line to a file, in order, by the time a flush resolves', async () => {
    const path = join(directory, 'burst.log');
    const fd = openSync(path, 'w');
    const destination = createLogDestination(fd);
    for (let index = 0; index < 2_000; index += 1) destination.write(`{"n":${index}}\n`);
    await flushLogDestination(destination);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { n: number }).n),
      upTo(2_000),
    );
    // Nothing pending: the flush still resolves.
    await flushLogDestination(destination);
    // Ending it stops the periodic flush and closes the descriptor.
    destination.end();
    await once(destination, 'close');
  });

  it('writes every line before a process ends on its own, without a flush', async () => {
    assert.deepEqual(await readLines(spawnLogger(20_000, 'return'), 300), upTo(20_000));
  });

  for (const through of ['socket', 'pipe'] as const) {
    it(`loses no line to a slow reader (${through}) when the process exits after a flush`, async () => {
      // About 4 MB into a pipe nobody reads for a while: writes find it full and are retried.
      assert.deepEqual(await readLines(spawnLogger(20_000, 'flush', through), 300), upTo(20_000));
    });
  }
});
