import { createRequire } from 'node:module';
import { estimateTokenCount } from './estimate-token-count.js';

type CountTokens = (text: string) => number;

const require = createRequire(import.meta.url);
const loaded = new Map<string, CountTokens>();

/** Which OpenAI BPE encoding a model id uses (gpt-tokenizer's encodings, same ranks as tiktoken). */
export function findOpenAIEncoding(modelId: string): 'o200k_base' | 'cl100k_base' | undefined {
  const id = modelId.toLowerCase().replace(/^openai\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o1|o3|o4)/.test(id)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/.test(id)) return 'cl100k_base';
  return undefined;
}

const LONG_RUN = /\S{257}/;

/**
 * BPE merges within one pre-tokenised piece cost time quadratic in its length, and a piece is a
 * run without spaces: megabytes of "xxxx…" from a misbehaving upstream would stall the process
 * for minutes. Long texts are counted in windows cut at spaces, and runs over 256 characters in
 * 256-character slices (a token or so off per cut, on usage already flagged as counted).
 */
function countInWindows(text: string, count: CountTokens): number {
  if (text.length <= 2_048 && !LONG_RUN.test(text)) return count(text);
  let total = 0;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + 2_048);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start) end = space;
    }
    const window = text.slice(start, end);
    if (LONG_RUN.test(window)) {
      for (let offset = 0; offset < window.length; offset += 256)
        total += count(window.slice(offset, offset + 256));
    } else total += count(window);
    start = end;
  }
  return total;
}

function loadEncoding(encoding: 'o200k_base' | 'cl100k_base'): CountTokens {
  let count = loaded.get(encoding);
  if (!count) {
    // Loading an encoding's tables is slow and large, so it happens once per process, on first use.
    const module = require(`gpt-tokenizer/cjs/encoding/${encoding}`) as { countTokens: CountTokens };
    count = (text) => countInWindows(text, module.countTokens);
    loaded.set(encoding, count);
  }
  return count;
}

/**
 * The token counter for a model served over OpenAI's API: OpenAI's own encoding for OpenAI model
 * ids, the documented four-characters-per-token estimate for anything else (a vLLM or Ollama
 * model's vocabulary is not known here).
 */
export function createOpenAITokenCounter(modelId: string): { countTokens: CountTokens; exact: boolean } {
  const encoding = findOpenAIEncoding(modelId);
  if (!encoding) return { countTokens: estimateTokenCount, exact: false };
  // Loaded on first use: an encoding's tables take much memory and long to build, and a command
  // that never counts should not pay for them. A serving gateway counts (a stream cut short, an
  // upstream that reports no usage) and loading blocks the event loop, so it loads them at start-up
  // by counting once.
  let count: CountTokens | undefined;
  return {
    countTokens: (text) => {
      count ??= loadEncoding(encoding);
      return count(text);
    },
    exact: true,
  };
}
