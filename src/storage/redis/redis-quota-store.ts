import { Redis } from 'ioredis';
import type {
  BudgetCheck,
  QuotaDecision,
  QuotaRefusal,
  QuotaReservation,
  QuotaStore,
  RateCheck,
  RateState,
} from '../quota-store.js';
import { RESERVE_SCRIPT, SETTLE_SCRIPT } from './redis-quota-scripts.js';

type QuotaRedis = Redis & {
  reserveQuota(...args: (string | number)[]): Promise<(string | number)[]>;
  settleQuota(...args: (string | number)[]): Promise<number>;
};

/**
 * The quota store shared by every replica: Redis, through ioredis, with each check-and-reserve
 * one atomic Lua script. Commands fail at once while Redis is unreachable (no offline queue), so
 * the caller can apply `state.onStoreDown`; ioredis reconnects by itself.
 */
export class RedisQuotaStore implements QuotaStore {
  private readonly redis: QuotaRedis;
  private readonly prefix: string;

  constructor(options: { url: string; keyPrefix: string; onError?: (error: Error) => void }) {
    this.prefix = options.keyPrefix;
    this.redis = new Redis(options.url, {
      enableOfflineQueue: false,
      // Commands issued in one turn of the event loop (many requests' reserves and settlements
      // under load) go out in one write.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    }) as QuotaRedis;
    this.redis.on('error', (error: Error) => options.onError?.(error));
    this.redis.defineCommand('reserveQuota', { lua: RESERVE_SCRIPT });
    this.redis.defineCommand('settleQuota', { lua: SETTLE_SCRIPT });
  }

  /** Resolves once connected, or after `timeoutMs` whatever the state (commands fail until then). */
  ready(timeoutMs = 5_000): Promise<boolean> {
    if (this.redis.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (connected: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(connected);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
      this.redis.once('ready', onReady);
    });
  }

  async reserve(reservation: QuotaReservation): Promise<QuotaDecision> {
    const { budgets, rates } = reservation;
    const args: (string | number)[] = [
      ...this.keysOf(budgets, rates),
      reservation.now,
      reservation.id,
      reservation.costUsd,
      reservation.tokens,
      reservation.ttlMs,
      budgets.length,
    ];
    for (const budget of budgets) args.push(budget.limitUsd, budget.periodEnd);
    for (const rate of rates) args.push(rate.rpm ?? -1, rate.tpm ?? -1);
    const reply = await this.redis.reserveQuota(budgets.length * 4 + rates.length * 3, ...args);
    return this.readDecision(reply, reservation);
  }

  async settle(reservation: QuotaReservation, used: { costUsd: number; tokens: number }): Promise<void> {
    const { budgets, rates } = reservation;
    await this.redis.settleQuota(
      budgets.length * 4 + rates.length * 3,
      ...this.keysOf(budgets, rates),
      reservation.id,
      used.costUsd,
      used.tokens,
      budgets.length,
    );
  }

  async seed(budget: BudgetCheck, spentUsd: number): Promise<void> {
    const keep = Math.max(1, budget.periodEnd - Date.now()) + 86_400_000;
    await this.redis.set(this.budgetKey(budget, 'spend'), String(spentUsd), 'PX', keep, 'NX');
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private budgetKey(budget: BudgetCheck, part: string): string {
    return `${this.prefix}budget:${budget.scope}:${budget.periodStart}:${part}`;
  }

  private keysOf(budgets: BudgetCheck[], rates: RateCheck[]): string[] {
    const keys: string[] = [];
    for (const budget of budgets) {
      keys.push(
        this.budgetKey(budget, 'spend'),
        this.budgetKey(budget, 'held'),
        this.budgetKey(budget, 'amounts'),
        this.budgetKey(budget, 'heldSum'),
      );
    }
    for (const rate of rates) {
      const base = `${this.prefix}rate:${rate.scope}`;
      keys.push(`${base}:requests`, `${base}:tokens`, `${base}:tokenSum`);
    }
    return keys;
  }

  private readDecision(reply: (string | number)[], reservation: QuotaReservation): QuotaDecision {
    const { budgets, rates } = reservation;
    const status = Number(reply[0]);
    // The reply's head: the status, then its details (see RESERVE_SCRIPT); the rate states follow.
    const head = status === 0 ? 1 : status === 1 ? 2 + Number(reply[1]) : 4;
    const states = this.readRates(reply.slice(head), rates);
    if (status === 0) return { ok: true, rates: states };
    let refusal: QuotaRefusal;
    if (status === 1) {
      const indexes = reply.slice(2, head).map(Number);
      refusal = { kind: 'unseeded', budgets: indexes.map((index) => budgets[index - 1] as BudgetCheck) };
    } else if (status === 2) {
      const budget = budgets[Number(reply[1]) - 1] as BudgetCheck;
      refusal = {
        kind: 'budget',
        scope: budget.scope,
        spentUsd: Number(reply[2]),
        reservedUsd: Number(reply[3]),
        limitUsd: budget.limitUsd,
        periodEnd: budget.periodEnd,
      };
    } else {
      const rate = rates[Number(reply[1]) - 1] as RateCheck;
      const limit = reply[2] === 'rpm' ? 'rpm' : 'tpm';
      refusal = {
        kind: 'rate',
        scope: rate.scope,
        limit,
        limitValue: (limit === 'rpm' ? rate.rpm : rate.tpm) as number,
        retryAfterMs: Number(reply[3]),
      };
    }
    return { ok: false, refusal, rates: states };
  }

  private readRates(values: (string | number)[], rates: RateCheck[]): RateState[] {
    return rates.map((rate, index) => {
      const requests = Number(values[index * 3]);
      const tokens = Number(values[index * 3 + 1]);
      const resetMs = Math.max(0, Number(values[index * 3 + 2]));
      const state: RateState = { scope: rate.scope };
      if (rate.rpm !== undefined)
        state.requests = { limit: rate.rpm, remaining: Math.max(0, rate.rpm - requests), resetMs };
      if (rate.tpm !== undefined)
        state.tokens = { limit: rate.tpm, remaining: Math.max(0, rate.tpm - tokens), resetMs };
      return state;
    });
  }
}
