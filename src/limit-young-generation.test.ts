import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { limitYoungGeneration } from './limit-young-generation.js';

const MB = 1024 * 1024;

// Runs in a child so that V8's flags and heap are its own: allocate with survivors (so V8 grows
// the young generation), go idle (V8 shrinks it), allocate again (it must be able to grow back).
const SCRIPT = `
const { limitYoungGeneration, readYoungGenerationBytes } = await import(${JSON.stringify(new URL('./limit-young-generation.ts', import.meta.url).href)});
if (process.argv[1] === 'capped') limitYoungGeneration(2)();
const churn = async (ms) => {
  let keep = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (let i = 0; i < 5000; i++) { const o = { a: i, b: 'x' + i, c: [i] }; if (i % 10 === 0) keep.push(o); }
    if (keep.length > 100000) keep = [];
    await new Promise((resolve) => setImmediate(resolve));
  }
};
await churn(1000);
const busy = readYoungGenerationBytes();
await new Promise((resolve) => setTimeout(resolve, 5500));
globalThis.gc({ type: 'minor' });
globalThis.gc({ type: 'minor' });
const idle = readYoungGenerationBytes();
await churn(1000);
console.log(JSON.stringify({ busy, idle, busyAgain: readYoungGenerationBytes() }));
`;

async function runChild(mode: 'capped' | 'uncapped') {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', '--input-type=module', '-e', SCRIPT, mode],
    { env: { ...process.env, NODE_OPTIONS: '' } },
  );
  return JSON.parse(stdout) as { busy: number; idle: number; busyAgain: number };
}

describe('limitYoungGeneration', () => {
  it('stops the young generation at the cap under load, and lets it grow back to it after idling', async () => {
    const [capped, uncapped] = await Promise.all([runChild('capped'), runChild('uncapped')]);
    // Without the cap V8 grows past it (to 32 MB on Node 20), so the scenario does exercise growth.
    assert.ok(uncapped.busy > 4 * MB, `uncapped young generation: ${uncapped.busy}`);
    assert.equal(capped.busy, 4 * MB);
    assert.ok(capped.idle < capped.busy, `V8 shrank it while idle: ${capped.idle}`);
    assert.equal(capped.busyAgain, 4 * MB);
  });

  it('leaves a semi-space size given on the command line or in NODE_OPTIONS alone', () => {
    assert.equal(limitYoungGeneration(8, ['--max-semi-space-size=32'], ''), undefined);
    assert.equal(
      limitYoungGeneration(8, [], '--max-old-space-size=512 --semi_space_growth_factor=4'),
      undefined,
    );
  });
});
