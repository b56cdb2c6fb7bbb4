/** A budget a request falls under, for the period it runs in. */
export interface BudgetCheck {
  /** Whose budget: `key:<id>` or `tenant:<name>`. */
  scope: string;
  limitUsd: number;
  /** Start of the budget's current period, epoch ms (the counter it draws on). */
  periodStart: number;
  /** Start of the next period: when counters of this period may be forgotten. */
  periodEnd: number;
}

/** Per-minute limits of a scope, counted over a sliding minute across every replica. */
export interface RateCheck {
  scope: string;
  rpm?: number;
  tpm?: number;
}

/** Where a scope stands against its per-minute limits (for the `x-ratelimit-*` headers). */
export interface RateState {
  scope: string;
  requests?: { limit: number; remaining: number; resetMs: number };
  tokens?: { limit: number; remaining: number; resetMs: number };
}

export type QuotaRefusal =
  | {
      kind: 'budget';
      scope: string;
      spentUsd: number;
      reservedUsd: number;
      limitUsd: number;
      periodEnd: number;
    }
  | { kind: 'rate'; scope: string; limit: 'rpm' | 'tpm'; limitValue: number; retryAfterMs: number }
  /** Budget counters not yet built from the durable log: seed them, then ask again. */
  | { kind: 'unseeded'; budgets: BudgetCheck[] };

export type QuotaDecision =
  | { ok: true; rates: RateState[] }
  | { ok: false; refusal: QuotaRefusal; rates: RateState[] };

/** What one request asks to hold before it is forwarded. */
export interface QuotaReservation {
  /** The request's id, which also identifies its reservation. */
  id: string;
  budgets: BudgetCheck[];
  rates: RateCheck[];
  /** Worst-case USD the request can cost. */
  costUsd: number;
  /** Tokens (input and output) it can use, counted against `tpm` until settled. */
  tokens: number;
  now: number;
  /** How long the reservation holds if nobody settles it (its replica died). */
  ttlMs: number;
}

/**
 * Budget counters, reservations and rate-limit windows. `reserve` checks every limit a request
 * falls under and holds its worst case atomically, all or nothing; `settle` replaces the held
 * amounts by what the request really used. Budget counters are rebuilt from the request log
 * (`seed`), never incremented from nothing, so a restart of the store cannot double them.
 */
export interface QuotaStore {
  reserve(reservation: QuotaReservation): Promise<QuotaDecision>;
  settle(reservation: QuotaReservation, used: { costUsd: number; tokens: number }): Promise<void>;
  /** Sets a budget counter to the durable spend if it has none yet; a second seed changes nothing. */
  seed(budget: BudgetCheck, spentUsd: number): Promise<void>;
  close(): Promise<void>;
}
