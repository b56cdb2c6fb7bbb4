import { findBuiltInPrice, type PriceBook } from '../../accounting/index.js';
import { AUTO_MODEL, isLocalModelConfig, type SwitchyardConfig } from '../../config/index.js';
import type { Usage } from '../../contract/index.js';
import { createOpenAITokenCounter } from '../../providers/shared/index.js';
import { type RoutableModel, RouteResolver, type TaskClassifier } from '../../routing/index.js';
import type { TrafficEntry } from './read-traffic.js';

export interface AuditReport {
  n: number;
  byTaskType: Record<string, number>;
  byRoute: Record<string, number>;
  byRule: Record<string, number>;
  /** Share of requests the policy keeps on local (small) models. */
  slmShare: number;
  /** Requests in which PII was found. */
  piiRequests: number;
  inputTokens: number;
  outputTokens: number;
  /** Requests whose output size the input did not record (counted as zero output tokens). */
  missingOutputTokens: number;
  /** Monthly USD: the traffic all on the LLM it names today vs as the policy would route it. */
  projectedMonthlyUsd: { llmOnly: number; hybrid: number; savings: number };
  /** The multiplier from the input's requests to a month (`--requests-per-month` / n, or 1). */
  scale: number;
}

/** Routing needs only each model's name, locality and token counter: no model is loaded. */
function describeModels(config: SwitchyardConfig): Map<string, RoutableModel> {
  const models = new Map<string, RoutableModel>();
  for (const [name, model] of Object.entries(config.models)) {
    const counter =
      model.provider === 'llama-cpp' ? createOpenAITokenCounter('') : createOpenAITokenCounter(model.model);
    models.set(name, { name, isLocal: isLocalModelConfig(model), countTokens: counter.countTokens });
  }
  return models;
}

function usageOf(inputTokens: number, outputTokens: number): Usage {
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    source: 'counted',
  };
}

function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

/**
 * Replays recorded traffic through the routing policy as if every request had asked for `auto`
 * (the model names recorded traffic carries, such as `gpt-4o`, are what it pays today, not forced
 * routes). Costs come from the same price table as the gateway: all-LLM prices each request at
 * its recorded model (else `routing.baseline`); hybrid prices it at the target the policy picks.
 */
export function auditTraffic(
  entries: readonly TrafficEntry[],
  options: {
    config: SwitchyardConfig;
    classifier: TaskClassifier;
    priceBook: PriceBook;
    requestsPerMonth?: number;
  },
): AuditReport {
  const { config, priceBook } = options;
  const models = describeModels(config);
  const resolver = new RouteResolver<RoutableModel>({
    models,
    routing: config.routing,
    classifier: options.classifier,
  });
  const baselinePrice = (() => {
    const baseline = config.routing.baseline;
    const pricing = baseline ? priceBook.pricingOf(baseline) : undefined;
    return pricing?.kind === 'tokens' ? pricing.price : undefined;
  })();
  const byTaskType: Record<string, number> = {};
  const byRoute: Record<string, number> = {};
  const byRule: Record<string, number> = {};
  let local = 0;
  let pii = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let missingOutput = 0;
  let llmOnly = 0;
  let hybrid = 0;
  for (const entry of entries) {
    const decision = resolver.resolve(AUTO_MODEL, { ...entry.request, metadata: {} });
    const target = models.get(decision.target) as RoutableModel;
    const features = decision.features;
    const taskType = features?.taskType ?? 'other';
    byTaskType[taskType] = (byTaskType[taskType] ?? 0) + 1;
    const { rule } = decision;
    byRoute[target.name] = (byRoute[target.name] ?? 0) + 1;
    byRule[rule] = (byRule[rule] ?? 0) + 1;
    if (target.isLocal) local += 1;
    if (decision.piiKinds.length > 0 || (entry.piiKinds?.length ?? 0) > 0) pii += 1;
    const input = entry.inputTokens ?? features?.inputTokens ?? 0;
    let output = entry.outputTokens;
    if (output === undefined && entry.responseText) output = target.countTokens(entry.responseText);
    if (output === undefined) missingOutput += 1;
    inputTokens += input;
    outputTokens += output ?? 0;
    const usage = usageOf(input, output ?? 0);
    const todayPrice = (entry.model ? findBuiltInPrice(entry.model) : undefined) ?? baselinePrice;
    if (todayPrice)
      llmOnly += (input * todayPrice.inputPerMillion + (output ?? 0) * todayPrice.outputPerMillion) / 1e6;
    hybrid += priceBook.startAttempt(target.name).finish(usage) ?? 0;
  }
  const n = entries.length;
  const scale = options.requestsPerMonth && n > 0 ? options.requestsPerMonth / n : 1;
  return {
    n,
    byTaskType,
    byRoute,
    byRule,
    slmShare: n > 0 ? round(local / n, 4) : 0,
    piiRequests: pii,
    inputTokens,
    outputTokens,
    missingOutputTokens: missingOutput,
    projectedMonthlyUsd: {
      llmOnly: round(llmOnly * scale),
      hybrid: round(hybrid * scale),
      savings: round((llmOnly - hybrid) * scale),
    },
    scale: round(scale, 6),
  };
}
