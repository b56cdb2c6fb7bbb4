export { BUILT_IN_PRICES, BUILT_IN_PRICES_CHECKED, findBuiltInPrice } from './built-in-prices.js';
export { type BusyTimeHandle, BusyTimeMeter } from './busy-time-meter.js';
export { computeCost, computeHourlyCost } from './compute-cost.js';
export { type AttemptCostMeter, type ModelPricing, PriceBook } from './price-book.js';
