import { createHash } from 'node:crypto';
import type { PriceBook } from '../../accounting/index.js';
import type { ChatModel, Usage } from '../../contract/index.js';
import type { BenchItem } from './read-bench-dataset.js';
import { type Scorer, scoreAnswer } from './score-answer.js';
import type { BenchResult } from './summarize-bench.js';

/** Where finished (model, item) results are kept, so an interrupted run resumes. */
export interface BenchCache {
  get(key: string): BenchResult | undefined;
  put(key: string, result: BenchResult): void;
}

/** The cache key of one (model, item): the model's identity and the item's exact request. */
export function createBenchKey(modelIdentity: string, item: BenchItem): string {
  return createHash('sha256')
    .update(JSON.stringify([modelIdentity, item.request, item.expected]))
    .digest('hex');
}

async function runOne(
  model: ChatModel,
  item: BenchItem,
  index: number,
  scorer: Scorer,
  priceBook: PriceBook,
): Promise<BenchResult> {
  const started = performance.now();
  const meter = priceBook.startAttempt(model.name);
  let ttftMs: number | null = null;
  let answer = '';
  let usage: Usage | undefined;
  let modelId: string | undefined;
  try {
    for await (const part of model.doStream(item.request, new AbortController().signal)) {
      if ((part.type === 'text-delta' || part.type === 'tool-call-delta') && ttftMs === null)
        ttftMs = performance.now() - started;
      if (part.type === 'text-delta') answer += part.delta;
      else if (part.type === 'finish') {
        usage = part.usage;
        modelId = part.modelId;
      } else if (part.type === 'error') throw part.error;
    }
    const latencyMs = performance.now() - started;
    return {
      model: model.name,
      item: index,
      ok: true,
      correct: scoreAnswer(scorer, answer, item.expected),
      answer,
      latencyMs,
      ttftMs: ttftMs ?? latencyMs,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      costUsd: meter.finish(usage, modelId),
    };
  } catch (error) {
    return {
      model: model.name,
      item: index,
      ok: false,
      correct: false,
      answer,
      error: (error as Error)?.message ?? String(error),
      latencyMs: performance.now() - started,
      ttftMs,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: meter.finish(undefined),
    };
  }
}

/**
 * Runs every item on every model through the gateway's own providers (streamed, to time the first
 * token), `concurrency` items at a time per model, models one after another so they do not
 * compete for the same machine. Finished results go to the cache as they land.
 */
export async function runBench(options: {
  items: readonly BenchItem[];
  models: readonly { model: ChatModel; identity: string }[];
  scorer: Scorer;
  concurrency: number;
  priceBook: PriceBook;
  cache: BenchCache;
  onProgress?: (done: number, total: number) => void;
}): Promise<Map<string, BenchResult[]>> {
  const total = options.items.length * options.models.length;
  let done = 0;
  const byModel = new Map<string, BenchResult[]>();
  for (const { model, identity } of options.models) {
    const results: BenchResult[] = new Array(options.items.length);
    let next = 0;
    const worker = async () => {
      while (next < options.items.length) {
        const index = next++;
        const item = options.items[index] as BenchItem;
        const key = createBenchKey(identity, item);
        let result = options.cache.get(key);
        if (!result) {
          result = await runOne(model, item, index, options.scorer, options.priceBook);
          options.cache.put(key, result);
        }
        results[index] = { ...result, item: index };
        done += 1;
        options.onProgress?.(done, total);
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.concurrency, options.items.length)) }, worker),
    );
    byModel.set(model.name, results);
  }
  return byModel;
}
