import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

const EXPLICIT_FLAGS = [
  '--max-semi-space-size',
  '--max_semi_space_size',
  '--semi-space-growth-factor',
  '--semi_space_growth_factor',
];

/** Both semi-spaces of V8's young generation, in bytes (what it holds resident once grown). */
export function readYoungGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Keeps V8's young generation at most `maxSemiSpaceMb` per semi-space (16 MB resident at 8), where
 * under sustained load it would otherwise grow to Node 20's 16 MB per semi-space (32 MB resident).
 * Halving it saved about 15 MB of peak RSS under the gateway benchmark without a measurable cost
 * in requests/s, CPU or p99 (bench/gateway/RESULTS.md).
 *
 * `--max-semi-space-size` is only read when node starts, and the gateway cannot rely on being
 * started with flags. V8 does read `--semi-space-growth-factor` each time it grows the young
 * generation, so:
 * - called first thing at start-up, this stops growth (factor 1), because loading models in long
 *   synchronous steps would grow the young generation to its maximum before anything could react;
 * - the function it returns, called once serving, watches the size after each collection: growth
 *   is allowed (factor 2, V8's default) while the young generation is below the cap and stopped once
 *   it reaches it. Growth stays allowed below the cap because V8 shrinks the young generation when
 *   the process idles, and the next burst must be able to grow it back.
 *
 * An explicit semi-space flag in NODE_OPTIONS or on node's command line wins: nothing is done and
 * undefined is returned.
 */
export function limitYoungGeneration(
  maxSemiSpaceMb = 8,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): (() => void) | undefined {
  const explicit = (value: string) => EXPLICIT_FLAGS.some((flag) => value.includes(flag));
  if (execArgv.some(explicit) || explicit(nodeOptions)) return undefined;
  const capBytes = 2 * maxSemiSpaceMb * 1024 * 1024;
  let growing = false;
  setFlagsFromString('--semi-space-growth-factor=1');
  const adjust = () => {
    const belowCap = readYoungGenerationBytes() < capBytes;
    if (belowCap === growing) return;
    growing = belowCap;
    setFlagsFromString(`--semi-space-growth-factor=${growing ? 2 : 1}`);
  };
  let observer: PerformanceObserver | undefined;
  return () => {
    if (observer) return;
    // Lives as long as the process: the flag it steers is process-wide.
    observer = new PerformanceObserver(adjust);
    observer.observe({ entryTypes: ['gc'] });
    adjust();
  };
}
