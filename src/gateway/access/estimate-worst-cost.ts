import { computeCost, type PriceBook } from '../../accounting/index.js';
import type { ChatModel, ChatRequest, RouteDecision, Usage } from '../../contract/index.js';

/** OpenAI's documented framing: 3 tokens per message and 3 to prime the reply. */
const FRAMING_TOKENS = 3;
/** How far above a four-characters-per-token estimate a prompt is assumed to run. */
const ESTIMATE_MARGIN = 1.5;

/**
 * The most a request can cost before it runs, for reserving it against budgets: its prompt at
 * each candidate's input price and `outputTokens` at its output price, the dearest candidate, plus
 * the dearest escalation target when the small model's answer may be replaced (both are paid
 * then). Models priced per hour or unpriced reserve nothing: their cost is not known per token.
 */
export function estimateWorstCost(options: {
  decision: RouteDecision;
  request: ChatRequest;
  outputTokens: number;
  models: ReadonlyMap<string, ChatModel>;
  priceBook: PriceBook;
}): { costUsd: number; tokens: number } {
  const { decision, request, outputTokens, models, priceBook } = options;
  let maxTokens = 0;
  const costOf = (name: string): number => {
    const model = models.get(name);
    if (!model) return 0;
    let counted = FRAMING_TOKENS;
    for (const message of request.messages) counted += model.countTokens(message.content) + FRAMING_TOKENS;
    // An estimate (no tokenizer for this model) may undercount; a reservation must not.
    const inputTokens = model.countsExactly ? counted : Math.ceil(counted * ESTIMATE_MARGIN);
    maxTokens = Math.max(maxTokens, inputTokens + outputTokens);
    const pricing = priceBook.pricingOf(name);
    if (pricing.kind !== 'tokens') return 0;
    const usage: Usage = {
      inputTokens,
      outputTokens,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: 0,
      source: 'counted',
    };
    return computeCost(usage, pricing.price);
  };
  const dearest = (names: string[]) => names.reduce((most, name) => Math.max(most, costOf(name)), 0);
  const escalation = decision.escalation;
  const costUsd = dearest(decision.candidates) + (escalation ? dearest(escalation.to) : 0);
  return { costUsd, tokens: maxTokens };
}
