import type { BudgetPeriod } from '../../storage/index.js';

/** The calendar period (UTC) that `now` falls in: its first millisecond and the next period's. */
export function findBudgetPeriod(period: BudgetPeriod, now: number): { start: number; end: number } {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === 'day') {
    const start = Date.UTC(year, month, date.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
}
