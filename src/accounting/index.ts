export { BUILT_IN_PRICES, BUILT_IN_PRICES_CHECKED, findBuiltInPrice } from './built-in-prices.js';
export { computeCost, computeHourlyCost } from './compute-cost.js';
