import { isLocalModelConfig, type ModelConfig, type TokenPrice } from '../config/index.js';
import type { Usage } from '../contract/index.js';
import { findBuiltInPrice } from './built-in-prices.js';
import { type BusyTimeHandle, BusyTimeMeter } from './busy-time-meter.js';
import { computeCost, computeHourlyCost } from './compute-cost.js';

/** How one configured model is priced. */
export type ModelPricing =
  | { kind: 'tokens'; price: TokenPrice; source: 'config' | 'built-in' }
  | { kind: 'hourly'; hourlyUsd: number; meter: BusyTimeMeter }
  /** A local model with no price set: the hardware is already paid for. */
  | { kind: 'free' }
  /** A remote model with no configured price and no built-in one: its cost is unknown (null). */
  | { kind: 'unknown' };

/** Measures one model call; `finish` turns its usage (and busy time) into USD. */
export interface AttemptCostMeter {
  /** `null` when the model's price is unknown. `modelId` is what the upstream says answered. */
  finish(usage: Usage | undefined, modelId?: string): number | null;
}

function upstreamModelId(config: ModelConfig): string | undefined {
  return config.provider === 'llama-cpp' ? undefined : config.model;
}

/**
 * Prices of the configured models: the config's `price` first, else the built-in dated table by
 * upstream model id (a dated snapshot the upstream reports is looked up first, since snapshots can
 * be priced differently), else free for local models and unknown for remote ones.
 */
export class PriceBook {
  private readonly pricing = new Map<string, ModelPricing>();
  /** Built-in prices by the model id an upstream reported (ids come from upstream: bounded). */
  private readonly snapshotPrices = new Map<string, TokenPrice | null>();
  private readonly configs: Readonly<Record<string, ModelConfig>>;

  constructor(options: { models: Readonly<Record<string, ModelConfig>>; baseline?: string | undefined }) {
    this.configs = options.models;
    this.baseline = options.baseline;
    for (const [name, config] of Object.entries(options.models)) {
      this.pricing.set(name, PriceBook.resolvePricing(config));
    }
  }

  /** The model whose price gives the counterfactual (all-LLM) cost, when configured. */
  readonly baseline: string | undefined;

  private static resolvePricing(config: ModelConfig): ModelPricing {
    const { price } = config;
    if (price?.hourly !== undefined) {
      return { kind: 'hourly', hourlyUsd: price.hourly, meter: new BusyTimeMeter() };
    }
    if (price) return { kind: 'tokens', price: price as TokenPrice, source: 'config' };
    const id = upstreamModelId(config);
    const builtIn = id ? findBuiltInPrice(id) : undefined;
    if (builtIn) return { kind: 'tokens', price: builtIn, source: 'built-in' };
    return isLocalModelConfig(config) ? { kind: 'free' } : { kind: 'unknown' };
  }

  pricingOf(name: string): ModelPricing {
    return this.pricing.get(name) ?? { kind: 'unknown' };
  }

  /** Names of remote models whose cost will be unknown, for a start-up warning. */
  listUnpriced(): string[] {
    return [...this.pricing].filter(([, pricing]) => pricing.kind === 'unknown').map(([name]) => name);
  }

  /** Call when a model call starts (an hourly-priced model starts charging busy time). */
  startAttempt(name: string): AttemptCostMeter {
    const pricing = this.pricingOf(name);
    const handle: BusyTimeHandle | undefined = pricing.kind === 'hourly' ? pricing.meter.start() : undefined;
    return {
      finish: (usage, modelId) => {
        const busyMs = handle?.stop();
        switch (pricing.kind) {
          case 'hourly':
            return computeHourlyCost(busyMs ?? 0, pricing.hourlyUsd);
          case 'free':
            return 0;
          case 'unknown':
            return null;
          case 'tokens':
            return usage ? computeCost(usage, this.priceForSnapshot(name, pricing, modelId)) : 0;
        }
      },
    };
  }

  /** What the baseline model would have charged for the same tokens; null when not known. */
  computeBaselineCost(usage: Usage | undefined): number | null {
    if (this.baseline === undefined || !usage) return null;
    const pricing = this.pricingOf(this.baseline);
    if (pricing.kind === 'tokens') return computeCost(usage, pricing.price);
    // An hourly or free baseline has no per-token counterfactual.
    return pricing.kind === 'free' ? 0 : null;
  }

  private priceForSnapshot(
    name: string,
    pricing: Extract<ModelPricing, { kind: 'tokens' }>,
    modelId: string | undefined,
  ): TokenPrice {
    if (pricing.source === 'config' || !modelId) return pricing.price;
    const configured = this.configs[name];
    if (configured && modelId === upstreamModelId(configured)) return pricing.price;
    let snapshot = this.snapshotPrices.get(modelId);
    if (snapshot === undefined) {
      // The table scan runs once per reported id rather than once per request.
      snapshot = findBuiltInPrice(modelId) ?? null;
      if (this.snapshotPrices.size < 256) this.snapshotPrices.set(modelId, snapshot);
    }
    return snapshot ?? pricing.price;
  }
}
