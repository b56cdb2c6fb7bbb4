import type { TokenPrice } from '../../config/index.js';

/** Hours in an average month (8,760 / 12): what an hourly price costs per month, always on. */
export const HOURS_PER_MONTH = 730;

export interface RoiInput {
  requestsPerMonth: number;
  inputTokensPerRequest: number;
  outputTokensPerRequest: number;
  llmPrice: TokenPrice;
  /** Share of requests the small model serves, 0..1. */
  slmShare: number;
  /** What running the small model costs per month (hosting, power), whatever the volume. */
  slmMonthlyUsd: number;
  /** One-off hardware or setup cost, paid back by the monthly savings. */
  capexUsd: number;
}

export interface RoiReport {
  llmCostPerRequestUsd: number;
  llmOnlyMonthlyUsd: number;
  hybridMonthlyUsd: number;
  monthlySavingsUsd: number;
  savingsPct: number;
  /** Months of savings that repay the capex; null when there are no savings to repay it. */
  paybackMonths: number | null;
  /** Monthly volume at which the small model's share saves exactly its monthly cost; null if it never does. */
  breakEvenRequestsPerMonth: number | null;
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The formulas (docs/migration-tools.md, "ROI"):
 * - cost per request = (input × input price + output × output price) / 1,000,000
 * - all-LLM = requests × cost per request
 * - hybrid = (1 − SLM share) × all-LLM + SLM monthly cost
 * - savings = all-LLM − hybrid; percentage of all-LLM
 * - payback = capex / savings (months)
 * - break-even volume = SLM monthly cost / (SLM share × cost per request)
 */
export function computeRoi(input: RoiInput): RoiReport {
  const perRequestMicro =
    input.inputTokensPerRequest * input.llmPrice.inputPerMillion +
    input.outputTokensPerRequest * input.llmPrice.outputPerMillion;
  const perRequest = perRequestMicro / 1_000_000;
  const llmOnly = (input.requestsPerMonth * perRequestMicro) / 1_000_000;
  const hybrid = (1 - input.slmShare) * llmOnly + input.slmMonthlyUsd;
  const savings = llmOnly - hybrid;
  const avoidedPerRequest = input.slmShare * perRequest;
  return {
    llmCostPerRequestUsd: perRequest,
    llmOnlyMonthlyUsd: cents(llmOnly),
    hybridMonthlyUsd: cents(hybrid),
    monthlySavingsUsd: cents(savings),
    savingsPct: llmOnly > 0 ? Math.round((savings / llmOnly) * 10_000) / 100 : 0,
    paybackMonths:
      savings > 0 ? Math.round((input.capexUsd / savings) * 100) / 100 : input.capexUsd === 0 ? 0 : null,
    breakEvenRequestsPerMonth:
      avoidedPerRequest > 0 ? Math.ceil(input.slmMonthlyUsd / avoidedPerRequest) : null,
  };
}
