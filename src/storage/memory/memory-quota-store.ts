import type {
  BudgetCheck,
  QuotaDecision,
  QuotaReservation,
  QuotaStore,
  RateCheck,
  RateState,
} from '../quota-store.js';

const MINUTE_MS = 60_000;

interface BudgetCounter {
  spentUsd: number;
  periodEnd: number;
  /** Reservation id → amount and expiry, in the order they were made (expiry order). */
  held: Map<string, { usd: number; expiresAt: number }>;
  heldUsd: number;
}

/**
 * A sliding minute of one scope: request id → when it came and the tokens it counts for, in
 * arrival order, with the tokens' running total (so a check costs the same however full it is).
 */
interface Window {
  entries: Map<string, { at: number; tokens: number }>;
  tokens: number;
}

/**
 * The quota store of a single replica: the same rules as the shared one, held in this process.
 * Counters start from the request log (`seed`) after a restart.
 */
export class MemoryQuotaStore implements QuotaStore {
  private readonly budgets = new Map<string, BudgetCounter>();
  private readonly windows = new Map<string, Window>();

  async reserve(reservation: QuotaReservation): Promise<QuotaDecision> {
    const { now } = reservation;
    const unseeded = reservation.budgets.filter((budget) => !this.budgets.has(keyOf(budget)));
    const rates = reservation.rates.map((rate) => this.describeRate(rate, now));
    if (unseeded.length > 0) return { ok: false, refusal: { kind: 'unseeded', budgets: unseeded }, rates };
    for (const budget of reservation.budgets) {
      const counter = this.budgets.get(keyOf(budget)) as BudgetCounter;
      const reservedUsd = this.sumHeld(counter, now);
      if (counter.spentUsd + reservedUsd + reservation.costUsd > budget.limitUsd) {
        return {
          ok: false,
          refusal: {
            kind: 'budget',
            scope: budget.scope,
            spentUsd: counter.spentUsd,
            reservedUsd,
            limitUsd: budget.limitUsd,
            periodEnd: budget.periodEnd,
          },
          rates,
        };
      }
    }
    for (const rate of reservation.rates) {
      const refusal = this.checkRate(rate, reservation.tokens, now);
      if (refusal) return { ok: false, refusal, rates };
    }
    for (const budget of reservation.budgets) {
      const counter = this.budgets.get(keyOf(budget)) as BudgetCounter;
      counter.held.set(reservation.id, { usd: reservation.costUsd, expiresAt: now + reservation.ttlMs });
      counter.heldUsd += reservation.costUsd;
    }
    for (const rate of reservation.rates) {
      const window = this.windowOf(rate.scope);
      window.entries.set(reservation.id, { at: now, tokens: reservation.tokens });
      window.tokens += reservation.tokens;
    }
    return { ok: true, rates: reservation.rates.map((rate) => this.describeRate(rate, now)) };
  }

  async settle(reservation: QuotaReservation, used: { costUsd: number; tokens: number }): Promise<void> {
    for (const budget of reservation.budgets) {
      const counter = this.budgets.get(keyOf(budget));
      if (!counter) continue;
      const held = counter.held.get(reservation.id);
      if (held) {
        counter.held.delete(reservation.id);
        counter.heldUsd -= held.usd;
      }
      counter.spentUsd += used.costUsd;
    }
    for (const rate of reservation.rates) {
      const window = this.windows.get(rate.scope);
      const entry = window?.entries.get(reservation.id);
      if (window && entry) {
        window.tokens += used.tokens - entry.tokens;
        entry.tokens = used.tokens;
      }
    }
  }

  async seed(budget: BudgetCheck, spentUsd: number): Promise<void> {
    const key = keyOf(budget);
    if (this.budgets.has(key)) return;
    this.forgetEndedPeriods(budget.periodStart);
    this.budgets.set(key, { spentUsd, periodEnd: budget.periodEnd, held: new Map(), heldUsd: 0 });
  }

  async close(): Promise<void> {}

  private sumHeld(counter: BudgetCounter, now: number): number {
    for (const [id, held] of counter.held) {
      if (held.expiresAt > now) break;
      counter.held.delete(id);
      counter.heldUsd -= held.usd;
    }
    if (counter.held.size === 0) counter.heldUsd = 0;
    return Math.max(0, counter.heldUsd);
  }

  private windowOf(scope: string): Window {
    let window = this.windows.get(scope);
    if (!window) {
      window = { entries: new Map(), tokens: 0 };
      this.windows.set(scope, window);
    }
    return window;
  }

  /** Drops what left the sliding minute; returns the requests, tokens and oldest entry in it. */
  private readWindow(scope: string, now: number): { requests: number; tokens: number; oldest: number } {
    const window = this.windowOf(scope);
    let oldest = now;
    for (const [id, entry] of window.entries) {
      if (entry.at > now - MINUTE_MS) {
        oldest = entry.at;
        break;
      }
      window.entries.delete(id);
      window.tokens -= entry.tokens;
    }
    if (window.entries.size === 0) window.tokens = 0;
    return { requests: window.entries.size, tokens: window.tokens, oldest };
  }

  private checkRate(rate: RateCheck, tokens: number, now: number) {
    const { requests, tokens: used, oldest } = this.readWindow(rate.scope, now);
    const retryAfterMs = Math.max(1, oldest + MINUTE_MS - now);
    if (rate.rpm !== undefined && requests + 1 > rate.rpm) {
      return {
        kind: 'rate' as const,
        scope: rate.scope,
        limit: 'rpm' as const,
        limitValue: rate.rpm,
        retryAfterMs,
      };
    }
    if (rate.tpm !== undefined && used + tokens > rate.tpm) {
      return {
        kind: 'rate' as const,
        scope: rate.scope,
        limit: 'tpm' as const,
        limitValue: rate.tpm,
        retryAfterMs,
      };
    }
    return undefined;
  }

  private describeRate(rate: RateCheck, now: number): RateState {
    const { requests, tokens, oldest } = this.readWindow(rate.scope, now);
    const resetMs = requests > 0 ? Math.max(0, oldest + MINUTE_MS - now) : 0;
    const state: RateState = { scope: rate.scope };
    if (rate.rpm !== undefined) {
      state.requests = { limit: rate.rpm, remaining: Math.max(0, rate.rpm - requests), resetMs };
    }
    if (rate.tpm !== undefined) {
      state.tokens = { limit: rate.tpm, remaining: Math.max(0, rate.tpm - tokens), resetMs };
    }
    return state;
  }

  private forgetEndedPeriods(now: number): void {
    for (const [key, counter] of this.budgets) if (counter.periodEnd <= now) this.budgets.delete(key);
  }
}

function keyOf(budget: BudgetCheck): string {
  return `${budget.scope}@${budget.periodStart}`;
}
