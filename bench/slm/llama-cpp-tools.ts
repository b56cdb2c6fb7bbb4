// llama.cpp's own benchmarks on the same GGUF, in the same run as the embedded backend's: the
// reference each layer is judged against. `dir` holds llama-bench and llama-batched-bench built
// from the llama.cpp source node-llama-cpp bundles, against the same ggml libraries.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface LlamaCppReference {
  /** llama-bench tg (tokens/s generating `tokens` after an empty context), one sequence. */
  llamaBenchTokensPerSecond: number;
  /** llama-bench pp512: prompt tokens/s, the floor of time to first token on a 500-token prompt. */
  llamaBenchPromptTokensPerSecond: number;
  /** llama-batched-bench S_TG: generated tokens/s of all sequences together, by sequence count. */
  llamaBatchedBench: Record<string, number>;
  commands: string[];
}

function run(dir: string, tool: string, args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(join(dir, tool), args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runLlamaCppReference(options: {
  dir: string;
  model: string;
  threads: number;
  tokens: number;
  streams: number[];
  promptTokens: number;
  flashAttention: boolean;
}): LlamaCppReference {
  const fa = options.flashAttention ? '1' : '0';
  const benchArgs = [
    ...['-m', options.model, '-ngl', '99', '-t', String(options.threads), '-fa', fa],
    ...['-p', '512', '-n', String(options.tokens), '-r', '5', '-o', 'json'],
  ];
  const bench = JSON.parse(run(options.dir, 'llama-bench', benchArgs, {})) as {
    n_prompt: number;
    n_gen: number;
    avg_ts: number;
  }[];
  const tg = bench.find((row) => row.n_gen > 0 && row.n_prompt === 0);
  const pp = bench.find((row) => row.n_prompt > 0 && row.n_gen === 0);
  const maxStreams = Math.max(...options.streams);
  const batchedArgs = [
    ...['-m', options.model, '-ngl', '99', '-t', String(options.threads), '-fa', fa === '1' ? 'on' : 'off'],
    ...['-c', String(maxStreams * (options.promptTokens + options.tokens) + 256)],
    ...['-npp', String(options.promptTokens), '-ntg', String(options.tokens)],
    ...['-npl', options.streams.join(','), '--output-format', 'jsonl'],
  ];
  const batched = run(options.dir, 'llama-batched-bench', batchedArgs, {})
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { pl: number; speed_tg: number });
  return {
    llamaBenchTokensPerSecond: Math.round((tg?.avg_ts ?? 0) * 10) / 10,
    llamaBenchPromptTokensPerSecond: Math.round(pp?.avg_ts ?? 0),
    llamaBatchedBench: Object.fromEntries(batched.map((row) => [String(row.pl), Math.round(row.speed_tg)])),
    commands: [`llama-bench ${benchArgs.join(' ')}`, `llama-batched-bench ${batchedArgs.join(' ')}`],
  };
}
