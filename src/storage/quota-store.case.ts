import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BudgetCheck, QuotaReservation, QuotaStore } from './quota-store.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 11, 5);

/**
 * The behaviour every QuotaStore must have. `create` gives a fresh, empty store; `restart`, when
 * the implementation has one, loses every counter as a store restart would.
 */
export function describeQuotaStore(
  name: string,
  create: () => Promise<QuotaStore>,
  options: { restart?: (store: QuotaStore) => Promise<void> } = {},
): void {
  describe(`QuotaStore contract: ${name}`, () => {
    let counter = 0;
    const budget = (limitUsd: number, scope = `tenant:t${counter}`): BudgetCheck => ({
      scope,
      limitUsd,
      periodStart: START,
      periodEnd: START + DAY,
    });
    const reservation = (overrides: Partial<QuotaReservation>): QuotaReservation => {
      counter += 1;
      return {
        id: `r${counter}`,
        budgets: [],
        rates: [],
        costUsd: 0,
        tokens: 0,
        now: START + 1000,
        ttlMs: 60_000,
        ...overrides,
      };
    };

    it('asks for a budget counter to be seeded once, and a second seed changes nothing', async () => {
      const store = await create();
      const check = budget(10, `tenant:seed-${Date.now()}`);
      const first = await store.reserve(reservation({ budgets: [check], costUsd: 1 }));
      assert.deepEqual(first.ok ? undefined : first.refusal, { kind: 'unseeded', budgets: [check] });
      await store.seed(check, 7);
      await store.seed(check, 0);
      const second = await store.reserve(reservation({ budgets: [check], costUsd: 3 }));
      assert.equal(second.ok, true);
      const third = await store.reserve(reservation({ budgets: [check], costUsd: 0.5 }));
      assert.equal(third.ok ? 'ok' : third.refusal.kind, 'budget', '7 spent + 3 held + 0.5 > 10');
      if (!third.ok && third.refusal.kind === 'budget') {
        assert.deepEqual([third.refusal.spentUsd, third.refusal.reservedUsd], [7, 3]);
      }
      await store.close();
    });

    it('replaces a reservation by what was spent, and lets an unsettled one expire', async () => {
      const store = await create();
      const check = budget(10, `tenant:settle-${Date.now()}`);
      await store.seed(check, 0);
      const held = reservation({ budgets: [check], costUsd: 6 });
      assert.equal((await store.reserve(held)).ok, true);
      assert.equal((await store.reserve(reservation({ budgets: [check], costUsd: 5 }))).ok, false);
      await store.settle(held, { costUsd: 1, tokens: 0 });
      assert.equal(
        (await store.reserve(reservation({ budgets: [check], costUsd: 5 }))).ok,
        true,
        '1 + 5 <= 10',
      );
      // The 5 is never settled: once its time-to-live is over it holds nothing.
      const later = START + 1000 + 60_001;
      assert.equal((await store.reserve(reservation({ budgets: [check], costUsd: 9, now: later }))).ok, true);
      await store.close();
    });

    it('counts requests over a sliding minute and says when the next one may come', async () => {
      const store = await create();
      const rate = { scope: `key:rpm-${Date.now()}`, rpm: 3 };
      for (let second = 0; second < 3; second += 1) {
        const decision = await store.reserve(reservation({ rates: [rate], now: START + second * 10_000 }));
        assert.equal(decision.ok, true);
        assert.equal(decision.rates[0]?.requests?.remaining, 2 - second);
      }
      const refused = await store.reserve(reservation({ rates: [rate], now: START + 30_000 }));
      assert.deepEqual(refused.ok ? undefined : refused.refusal, {
        kind: 'rate',
        scope: rate.scope,
        limit: 'rpm',
        limitValue: 3,
        retryAfterMs: 30_000,
      });
      // The first request left the window: one more fits, not two.
      assert.equal((await store.reserve(reservation({ rates: [rate], now: START + 60_001 }))).ok, true);
      assert.equal((await store.reserve(reservation({ rates: [rate], now: START + 60_002 }))).ok, false);
      await store.close();
    });

    it('holds tokens against tpm until settled with the real count', async () => {
      const store = await create();
      const rate = { scope: `key:tpm-${Date.now()}`, tpm: 1000 };
      const first = reservation({ rates: [rate], tokens: 800 });
      assert.equal((await store.reserve(first)).ok, true);
      assert.equal((await store.reserve(reservation({ rates: [rate], tokens: 300 }))).ok, false);
      await store.settle(first, { costUsd: 0, tokens: 100 });
      const second = await store.reserve(reservation({ rates: [rate], tokens: 300 }));
      assert.equal(second.ok, true);
      assert.equal(second.rates[0]?.tokens?.remaining, 600);
      await store.close();
    });

    it('reserves all or nothing: a refused rate holds no budget', async () => {
      const store = await create();
      const check = budget(10, `tenant:all-${Date.now()}`);
      const rate = { scope: `key:all-${Date.now()}`, rpm: 1 };
      await store.seed(check, 0);
      assert.equal(
        (await store.reserve(reservation({ budgets: [check], rates: [rate], costUsd: 4 }))).ok,
        true,
      );
      assert.equal(
        (await store.reserve(reservation({ budgets: [check], rates: [rate], costUsd: 4 }))).ok,
        false,
      );
      // Only the first 4 is held: 4 + 6 fits the budget.
      assert.equal((await store.reserve(reservation({ budgets: [check], costUsd: 6 }))).ok, true);
      await store.close();
    });

    it('admits exactly what the budget holds when many reserve at once', async () => {
      const store = await create();
      const check = budget(10, `tenant:race-${Date.now()}`);
      await store.seed(check, 0);
      const decisions = await Promise.all(
        Array.from({ length: 40 }, () => store.reserve(reservation({ budgets: [check], costUsd: 1 }))),
      );
      assert.equal(decisions.filter((decision) => decision.ok).length, 10);
      await store.close();
    });

    if (options.restart) {
      const restart = options.restart;
      it('after a restart, rebuilds from the seed and never adds a settlement to nothing', async () => {
        const store = await create();
        const check = budget(10, `tenant:restart-${Date.now()}`);
        await store.seed(check, 2);
        const held = reservation({ budgets: [check], costUsd: 3 });
        assert.equal((await store.reserve(held)).ok, true);
        await restart(store);
        // The settlement after the restart must not create a counter of 1 that hides the log's spend.
        await store.settle(held, { costUsd: 1, tokens: 0 });
        const decision = await store.reserve(reservation({ budgets: [check], costUsd: 1 }));
        assert.equal(decision.ok ? 'ok' : decision.refusal.kind, 'unseeded');
        await store.seed(check, 3);
        const blocked = await store.reserve(reservation({ budgets: [check], costUsd: 7.5 }));
        assert.equal(blocked.ok ? 'ok' : blocked.refusal.kind, 'budget');
        await store.close();
      });
    }
  });
}
