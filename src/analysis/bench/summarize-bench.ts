import { computeWilsonInterval } from '../../contract/index.js';
export interface BenchResult {
  model: string;
  item: number;
  ok: boolean;
  correct: boolean;
  answer: string;
  error?: string;
  latencyMs: number;
  ttftMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
}

export interface ModelSummary {
  n: number;
  accuracy: number;
  accuracyCi95: [number, number];
  latencyMs: { p50: number; p95: number; p99: number };
  ttftMs: { p50: number; p95: number };
  outputTokensPerSecond: number;
  errors: number;
  costPer1kUsd: number | null;
}

function round(value: number, digits = 4): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/** The interval as the report prints it: rounded, and [0, 0] for a model with no results. */
function readInterval(interval: { low: number; high: number } | null): [number, number] {
  return interval ? [round(interval.low), round(interval.high)] : [0, 0];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/**
 * Per-model figures. Failed calls count as wrong answers and are left out of latency and token
 * rates. Output tokens per second is decode speed: output tokens over the time after the first
 * token, summed over the model's answers.
 */
export function summarizeModel(results: readonly BenchResult[]): ModelSummary {
  const answered = results.filter((result) => result.ok);
  const latencies = answered.map((result) => result.latencyMs).sort((a, b) => a - b);
  const ttfts = answered
    .flatMap((result) => (result.ttftMs === null ? [] : [result.ttftMs]))
    .sort((a, b) => a - b);
  let tokens = 0;
  let decodeSeconds = 0;
  for (const result of answered) {
    tokens += result.outputTokens;
    decodeSeconds += Math.max(0, result.latencyMs - (result.ttftMs ?? 0)) / 1000;
  }
  const correct = results.filter((result) => result.correct).length;
  const costs = results.map((result) => result.costUsd);
  const costKnown = costs.every((cost) => cost !== null);
  const meanCost = costs.reduce<number>((sum, cost) => sum + (cost ?? 0), 0) / Math.max(1, results.length);
  return {
    n: results.length,
    accuracy: round(correct / Math.max(1, results.length)),
    accuracyCi95: readInterval(computeWilsonInterval(correct, results.length)),
    latencyMs: {
      p50: round(percentile(latencies, 0.5), 1),
      p95: round(percentile(latencies, 0.95), 1),
      p99: round(percentile(latencies, 0.99), 1),
    },
    ttftMs: { p50: round(percentile(ttfts, 0.5), 1), p95: round(percentile(ttfts, 0.95), 1) },
    outputTokensPerSecond: decodeSeconds > 0 ? round(tokens / decodeSeconds, 1) : 0,
    errors: results.length - answered.length,
    costPer1kUsd: costKnown ? round(meanCost * 1000, 6) : null,
  };
}

/** For each pair of models: the share of items both got right or both got wrong. */
export function computeAgreement(
  byModel: ReadonlyMap<string, readonly BenchResult[]>,
): Record<string, number> {
  const names = [...byModel.keys()];
  const agreement: Record<string, number> = {};
  for (let a = 0; a < names.length; a += 1) {
    for (let b = a + 1; b < names.length; b += 1) {
      const left = new Map(
        (byModel.get(names[a] as string) ?? []).map((result) => [result.item, result.correct]),
      );
      const right = byModel.get(names[b] as string) ?? [];
      const shared = right.filter((result) => left.has(result.item));
      const same = shared.filter((result) => left.get(result.item) === result.correct).length;
      agreement[`${names[a]}|${names[b]}`] = round(same / Math.max(1, shared.length));
    }
  }
  return agreement;
}
