import type { Logger } from 'pino';
import type { PriceBook } from '../../accounting/index.js';
import type { AuthConfig, StateConfig } from '../../config/index.js';
import type { ChatModel, ChatRequest, RequestOutcome, RouteDecision } from '../../contract/index.js';
import {
  AuthenticationError,
  BudgetExceededError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
} from '../../errors/index.js';
import type {
  BudgetCheck,
  Limits,
  QuotaRefusal,
  QuotaReservation,
  QuotaStore,
  RateCheck,
  Tenant,
  TenantStore,
  VirtualKey,
} from '../../storage/index.js';
import { findBudgetPeriod } from './budget-period.js';
import { estimateWorstCost } from './estimate-worst-cost.js';
import { createRateLimitHeaders } from './rate-limit-headers.js';
import { hashKey, KEY_PREFIX, MAX_KEY_LENGTH } from './virtual-key-secret.js';

/** Who is calling: a valid key and its tenant. */
export interface Access {
  key: VirtualKey;
  tenant: Tenant;
}

/** What a keyed request was admitted with, to settle when it ends. */
export interface Admission {
  reservation: QuotaReservation;
  /** The store that holds the reservation (this replica's own while the shared one is down). */
  store: QuotaStore;
  /** `x-ratelimit-*` headers for the answer. */
  headers: Record<string, string>;
}

/** Why a keyed request may not go ahead, with the rate-limit headers its answer still carries. */
export interface AccessRefusal {
  error: BudgetExceededError | RateLimitError;
  headers: Record<string, string>;
  /** Set for a spent budget: the gateway may serve the over-budget local model instead. */
  budgetScope?: string;
}

/** How long a looked-up key (or an unknown one) is trusted before it is read again. */
const KEY_CACHE_MS = 500;
const KEY_CACHE_ENTRIES = 10_000;

/**
 * Virtual keys, allowed models, budgets and rate limits for requests on `auth.mode: keys`. Keys
 * are looked up by hash (briefly cached, so a revocation holds everywhere within a second);
 * budgets and limits are reserved in the quota store before a request is forwarded and settled
 * to what it spent when it ends.
 */
export class AccessControl {
  private readonly cache = new Map<string, { access: Access | undefined; until: number }>();
  private readonly now: () => number;

  constructor(
    private readonly options: {
      tenants: TenantStore;
      quotas: QuotaStore;
      /** Used while the shared store is down and `state.onStoreDown` is `open`. */
      localQuotas: QuotaStore;
      auth: AuthConfig;
      state: StateConfig;
      models: ReadonlyMap<string, ChatModel>;
      priceBook: PriceBook;
      logger: Logger;
      onStoreError?: () => void;
      /** Writes the request log's queued rows, so that spend rebuilt from it includes them. */
      flushLog?: () => Promise<void>;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The key in `Authorization: Bearer sy-...`, checked; throws a 401 otherwise. */
  async authenticate(authorization: string | undefined): Promise<Access> {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    const secret = match?.[1];
    if (!secret) {
      throw new AuthenticationError({
        message: 'Missing API key: send it as "Authorization: Bearer sy-...".',
      });
    }
    if (!secret.startsWith(KEY_PREFIX) || secret.length > MAX_KEY_LENGTH) {
      throw new AuthenticationError({ message: 'Invalid API key: Switchyard keys start with "sy-".' });
    }
    const access = await this.lookUp(hashKey(secret));
    const now = this.now();
    if (!access) throw new AuthenticationError({ message: 'Invalid API key.' });
    if (access.key.revokedAt !== null && access.key.revokedAt <= now) {
      throw new AuthenticationError({ message: `API key ${access.key.prefix}... was revoked.` });
    }
    if (access.key.expiresAt !== null && access.key.expiresAt <= now) {
      throw new AuthenticationError({ message: `API key ${access.key.prefix}... expired.` });
    }
    return access;
  }

  /**
   * The decision bounded to the models the key and its tenant may use: fallbacks and escalation
   * targets outside them are dropped; a target outside them is a 403 naming the allowed ones.
   */
  restrictModels(access: Access, decision: RouteDecision): RouteDecision {
    const allowed = intersect(access.tenant.models, access.key.models);
    if (!allowed) return decision;
    if (!allowed.includes(decision.target)) {
      throw new PermissionDeniedError({
        message: `This key may not use model '${decision.target}' (requested as '${decision.requested}'); allowed: ${allowed.join(', ')}.`,
        code: 'model_not_allowed',
        param: 'model',
      });
    }
    const escalation = decision.escalation;
    return {
      ...decision,
      candidates: decision.candidates.filter((name) => allowed.includes(name)),
      ...(escalation
        ? { escalation: { ...escalation, to: escalation.to.filter((name) => allowed.includes(name)) } }
        : {}),
    };
  }

  /**
   * The request as it will run: with a budget on the key or its tenant and no `max_tokens`, it is
   * bounded to `auth.defaultMaxOutputTokens`, so that its reservation is its real worst case.
   */
  boundRequest(access: Access, request: ChatRequest): ChatRequest {
    if (request.maxOutputTokens !== undefined) return request;
    if (access.key.budgetUsd === undefined && access.tenant.budgetUsd === undefined) return request;
    return { ...request, maxOutputTokens: this.options.auth.defaultMaxOutputTokens };
  }

  /**
   * Reserves the request's worst case against every budget and rate limit it falls under, all or
   * nothing. A refusal is returned, not thrown, so its headers reach the client and a spent budget
   * can be answered on the over-budget local model; an unreachable store throws a 503 when
   * `state.onStoreDown` is `closed`.
   */
  async admit(
    access: Access,
    decision: RouteDecision,
    request: ChatRequest,
    id: string,
    options: { budgets: boolean } = { budgets: true },
  ): Promise<Admission | AccessRefusal> {
    const now = this.now();
    const worst = options.budgets
      ? estimateWorstCost({
          decision,
          request,
          outputTokens:
            this.boundRequest(access, request).maxOutputTokens ?? this.options.auth.defaultMaxOutputTokens,
          models: this.options.models,
          priceBook: this.options.priceBook,
        })
      : { costUsd: 0, tokens: 0 };
    const reservation: QuotaReservation = {
      id,
      budgets: options.budgets ? this.listBudgets(access, now) : [],
      rates: this.listRates(access),
      costUsd: worst.costUsd,
      tokens: worst.tokens,
      now,
      ttlMs: this.options.state.reservationTtlMs,
    };
    let store = this.options.quotas;
    let decisionOfStore = await this.reserve(store, reservation).catch((error: unknown) => {
      this.options.onStoreError?.();
      this.options.logger.warn({ err: error, requestId: id }, 'quota store unreachable');
      return undefined;
    });
    if (!decisionOfStore) {
      if (this.options.state.onStoreDown === 'closed') {
        throw new ServiceUnavailableError({
          message:
            'The shared state store (Redis) is unreachable, so budgets and rate limits cannot be checked.',
          code: 'state_store_unavailable',
          retryAfterSeconds: 1,
        });
      }
      store = this.options.localQuotas;
      decisionOfStore = await this.reserve(store, reservation);
    }
    const headers = createRateLimitHeaders(decisionOfStore.rates);
    if (decisionOfStore.ok) return { reservation, store, headers };
    const refusal = decisionOfStore.refusal;
    if (refusal.kind === 'budget') {
      return { error: this.describeBudget(refusal, access), headers, budgetScope: refusal.scope };
    }
    if (refusal.kind === 'rate') {
      const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
      const unit = refusal.limit === 'rpm' ? 'requests' : 'tokens';
      const error = new RateLimitError({
        message: `Rate limit of ${this.describeScope(refusal.scope, access)} reached: ${refusal.limitValue} ${unit} per minute. Retry in ${seconds} s.`,
        retryAfterSeconds: seconds,
      });
      return { error, headers };
    }
    throw new Error('quota store still unseeded after seeding');
  }

  /** Replaces the reservation by what the request spent; never delays or fails the request. */
  async settle(admission: Admission, outcome: RequestOutcome): Promise<void> {
    const usage = outcome.usage;
    const tokens = usage ? usage.inputTokens + usage.outputTokens : 0;
    try {
      await admission.store.settle(admission.reservation, { costUsd: outcome.costUsd ?? 0, tokens });
    } catch (error) {
      this.options.onStoreError?.();
      this.options.logger.warn(
        { err: error, requestId: outcome.id },
        'quota settlement failed; its reservation expires',
      );
    }
  }

  /** Reserves, seeding budget counters from the request log when the store has none yet. */
  private async reserve(store: QuotaStore, reservation: QuotaReservation) {
    const decision = await store.reserve(reservation);
    if (decision.ok || decision.refusal.kind !== 'unseeded') return decision;
    await this.options.flushLog?.();
    for (const budget of decision.refusal.budgets) {
      const [kind, name] = splitScope(budget.scope);
      const spent = await this.options.tenants.sumSpend(
        kind === 'key' ? { keyId: name } : { tenant: name },
        budget.periodStart,
      );
      await store.seed(budget, spent);
    }
    return store.reserve(reservation);
  }

  private listBudgets(access: Access, now: number): BudgetCheck[] {
    const budgets: BudgetCheck[] = [];
    const add = (scope: string, limits: Limits) => {
      if (limits.budgetUsd === undefined) return;
      const period = findBudgetPeriod(limits.budgetPeriod ?? 'month', now);
      budgets.push({ scope, limitUsd: limits.budgetUsd, periodStart: period.start, periodEnd: period.end });
    };
    add(`key:${access.key.id}`, access.key);
    add(`tenant:${access.tenant.name}`, access.tenant);
    return budgets;
  }

  private listRates(access: Access): RateCheck[] {
    const rates: RateCheck[] = [];
    const add = (scope: string, limits: Limits) => {
      if (limits.rpm === undefined && limits.tpm === undefined) return;
      rates.push({
        scope,
        ...(limits.rpm !== undefined ? { rpm: limits.rpm } : {}),
        ...(limits.tpm !== undefined ? { tpm: limits.tpm } : {}),
      });
    };
    add(`key:${access.key.id}`, access.key);
    add(`tenant:${access.tenant.name}`, access.tenant);
    return rates;
  }

  private describeScope(scope: string, access: Access): string {
    return scope.startsWith('key:') ? `key ${access.key.prefix}...` : `tenant '${access.tenant.name}'`;
  }

  private describeBudget(
    refusal: Extract<QuotaRefusal, { kind: 'budget' }>,
    access: Access,
  ): BudgetExceededError {
    const usd = (value: number) => `$${value.toFixed(2)}`;
    const held = refusal.reservedUsd > 0 ? ` (requests in flight hold ${usd(refusal.reservedUsd)} more)` : '';
    const resets = new Date(refusal.periodEnd).toISOString();
    return new BudgetExceededError({
      message: `The budget of ${this.describeScope(refusal.scope, access)} is spent: ${usd(refusal.spentUsd)} of ${usd(refusal.limitUsd)}${held}. It resets at ${resets}.`,
      retryAfterSeconds: Math.max(1, Math.ceil((refusal.periodEnd - this.now()) / 1000)),
    });
  }

  private async lookUp(hash: string): Promise<Access | undefined> {
    const now = this.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.access;
    const key = await this.options.tenants.findKeyByHash(hash);
    const tenant = key ? await this.options.tenants.getTenant(key.tenant) : undefined;
    const access = key && tenant ? { key, tenant } : undefined;
    if (this.cache.size >= KEY_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(hash, { access, until: now + KEY_CACHE_MS });
    return access;
  }
}

function intersect(first: string[] | undefined, second: string[] | undefined): string[] | undefined {
  if (!first) return second;
  if (!second) return first;
  return first.filter((name) => second.includes(name));
}

function splitScope(scope: string): ['key' | 'tenant', string] {
  const colon = scope.indexOf(':');
  return [scope.slice(0, colon) === 'key' ? 'key' : 'tenant', scope.slice(colon + 1)];
}
