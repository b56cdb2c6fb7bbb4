import type { TokenPrice } from '../config/index.js';

/** The date the built-in prices were last checked against the providers' public price pages. */
export const BUILT_IN_PRICES_CHECKED = '2025-10-01';

/**
 * List prices in USD per million tokens for common hosted models. Config `price:` overrides any of
 * them; prices drift, so treat this as a starting point and pin your contract prices in config.
 * Keys are model id prefixes: an upstream's dated snapshot (`gpt-4o-mini-2024-07-18`) matches the
 * longest key it starts with.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, TokenPrice>> = {
  // OpenAI: cached input is billed at the listed cached rate; reasoning tokens bill as output.
  'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125 },
  'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2, cachedInputPerMillion: 0.025 },
  'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4, cachedInputPerMillion: 0.005 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1 },
  'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.025 },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
  // The first gpt-4o snapshot kept its launch price and has no cached rate.
  'gpt-4o-2024-05-13': { inputPerMillion: 5, outputPerMillion: 15 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
  'gpt-4-turbo': { inputPerMillion: 10, outputPerMillion: 30 },
  'gpt-4': { inputPerMillion: 30, outputPerMillion: 60 },
  'gpt-3.5-turbo': { inputPerMillion: 0.5, outputPerMillion: 1.5 },
  o1: { inputPerMillion: 15, outputPerMillion: 60, cachedInputPerMillion: 7.5 },
  o3: { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 },
  'o3-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.55 },
  'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.275 },
  // Anthropic: cache reads at 0.1x input, 5-minute cache writes at 1.25x input.
  'claude-opus-4': {
    inputPerMillion: 15,
    outputPerMillion: 75,
    cachedInputPerMillion: 1.5,
    cacheWriteInputPerMillion: 18.75,
  },
  'claude-sonnet-4': {
    inputPerMillion: 3,
    outputPerMillion: 15,
    cachedInputPerMillion: 0.3,
    cacheWriteInputPerMillion: 3.75,
  },
  'claude-3-7-sonnet': {
    inputPerMillion: 3,
    outputPerMillion: 15,
    cachedInputPerMillion: 0.3,
    cacheWriteInputPerMillion: 3.75,
  },
  'claude-3-5-sonnet': {
    inputPerMillion: 3,
    outputPerMillion: 15,
    cachedInputPerMillion: 0.3,
    cacheWriteInputPerMillion: 3.75,
  },
  'claude-haiku-4-5': {
    inputPerMillion: 1,
    outputPerMillion: 5,
    cachedInputPerMillion: 0.1,
    cacheWriteInputPerMillion: 1.25,
  },
  'claude-3-5-haiku': {
    inputPerMillion: 0.8,
    outputPerMillion: 4,
    cachedInputPerMillion: 0.08,
    cacheWriteInputPerMillion: 1,
  },
  'claude-3-haiku': {
    inputPerMillion: 0.25,
    outputPerMillion: 1.25,
    cachedInputPerMillion: 0.03,
    cacheWriteInputPerMillion: 0.3,
  },
};

/** The built-in price of a model id: exact key first, else the longest key the id starts with. */
export function findBuiltInPrice(modelId: string): TokenPrice | undefined {
  const id = modelId.toLowerCase();
  const exact = BUILT_IN_PRICES[id];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(BUILT_IN_PRICES)) {
    // `gpt-4o-mini-2024-07-18` is a snapshot of `gpt-4o-mini`; `gpt-4o-audio` is not `gpt-4o`'s price.
    if (id.startsWith(`${key}-`) && /^\d{4}-?\d{2}-?\d{2}$|^latest$/.test(id.slice(key.length + 1))) {
      if (!best || key.length > best.length) best = key;
    }
  }
  return best ? BUILT_IN_PRICES[best] : undefined;
}
