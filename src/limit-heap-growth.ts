import { setFlagsFromString } from 'node:v8';

const FLAG = '--heap-growing-percent';

/**
 * Caps how far V8 lets the old generation grow past its live size before a full collection. By
 * default V8 allows up to 4×; a gateway's live heap is small and steady (about 20 MB) while its
 * short-lived garbage arrives fast, so that factor alone took peak RSS under load from about 175
 * to 230 MB at the same throughput (bench/gateway/RESULTS.md). 2× keeps throughput and p99; lower
 * values save a little more memory but pause more often. V8 reads this flag at every collection, so
 * setting it at start-up works; a value given in NODE_OPTIONS or on node's command line wins.
 * Returns whether the cap was applied here.
 */
export function limitHeapGrowth(
  percent = 100,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): boolean {
  const explicit = (value: string) => value.includes(FLAG) || value.includes('--heap_growing_percent');
  if (execArgv.some(explicit) || explicit(nodeOptions)) return false;
  setFlagsFromString(`${FLAG}=${percent}`);
  return true;
}
