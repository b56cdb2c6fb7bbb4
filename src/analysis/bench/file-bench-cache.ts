import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchCache } from './run-bench.js';
import type { BenchResult } from './summarize-bench.js';

/**
 * A JSONL file of `{key, result}` lines, appended as each result lands: a run killed half-way
 * keeps what it finished, and the next run skips those (model, item) pairs.
 */
export function openFileBenchCache(path: string): BenchCache & { readonly reused: number } {
  const entries = new Map<string, BenchResult>();
  if (existsSync(path)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const { key, result } = JSON.parse(line) as { key: string; result: BenchResult };
        // Failed calls are retried on the next run rather than remembered.
        if (result.ok) entries.set(key, result);
      } catch {
        // A line cut by a crash mid-write: ignore it, the item runs again.
      }
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  let reused = 0;
  return {
    get reused() {
      return reused;
    },
    get(key) {
      const result = entries.get(key);
      if (result) reused += 1;
      return result;
    },
    put(key, result) {
      entries.set(key, result);
      appendFileSync(path, `${JSON.stringify({ key, result })}\n`);
    },
  };
}
