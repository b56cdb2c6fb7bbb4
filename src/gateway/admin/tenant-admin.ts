import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { ConflictError, InvalidRequestError, ResourceNotFoundError } from '../../errors/index.js';
import type { Limits, Tenant, TenantStore, VirtualKey } from '../../storage/index.js';
import { findBudgetPeriod } from '../access/budget-period.js';
import { createKeySecret } from '../access/virtual-key-secret.js';
import { createKeyInputSchema, createTenantInputSchema, parseDuration } from './admin-input-schemas.js';

/** A key as listings show it: never its secret or hash. */
export interface KeyView extends Limits {
  id: string;
  tenant: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** What a tenant has spent in its current budget period, and what limits it. */
export interface TenantUsage {
  tenant: string;
  budget: { usd: number; period: string; spentUsd: number; periodStart: string; resetsAt: string } | null;
  rpm: number | null;
  tpm: number | null;
  models: string[] | null;
  keys: (KeyView & { spentUsd: number })[];
}

/** Parses with `schema`, or a 400 naming the field at fault. */
function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.join('.') || undefined;
  throw new InvalidRequestError({
    message: `${param ? `${param}: ` : ''}${issue?.message ?? 'invalid input'}`,
    code: 'invalid_value',
    ...(param ? { param } : {}),
  });
}

function pickLimits(input: Limits): Limits {
  const limits: Limits = {};
  if (input.budgetUsd !== undefined) {
    limits.budgetUsd = input.budgetUsd;
    limits.budgetPeriod = input.budgetPeriod ?? 'month';
  }
  if (input.rpm !== undefined) limits.rpm = input.rpm;
  if (input.tpm !== undefined) limits.tpm = input.tpm;
  if (input.models !== undefined) limits.models = input.models;
  return limits;
}

function toIso(time: number | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

/** Tenants and keys, for the admin API and the CLI alike: validated input, clear errors. */
export class TenantAdmin {
  constructor(
    private readonly options: {
      store: TenantStore;
      /** The configured models a tenant or key may be limited to. */
      modelNames: readonly string[];
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  async createTenant(input: unknown): Promise<Tenant> {
    const parsed = parseInput(createTenantInputSchema, input);
    this.checkModels(parsed.models);
    const tenant: Tenant = { name: parsed.name, createdAt: this.now, ...pickLimits(parsed) };
    if (!(await this.options.store.createTenant(tenant))) {
      throw new ConflictError({
        message: `Tenant '${parsed.name}' exists.`,
        code: 'tenant_exists',
        param: 'name',
      });
    }
    return tenant;
  }

  listTenants(): Promise<Tenant[]> {
    return this.options.store.listTenants();
  }

  /** Creates a key; the returned `key` is the only time the secret is seen. */
  async createKey(input: unknown): Promise<KeyView & { key: string }> {
    const parsed = parseInput(createKeyInputSchema, input);
    await this.getTenant(parsed.tenant);
    this.checkModels(parsed.models);
    const secret = createKeySecret();
    const now = this.now;
    const key: VirtualKey = {
      id: `key_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
      tenant: parsed.tenant,
      hash: secret.hash,
      prefix: secret.prefix,
      createdAt: now,
      expiresAt: parsed.expiresIn ? now + parseDuration(parsed.expiresIn) : null,
      revokedAt: null,
      ...pickLimits(parsed),
    };
    await this.options.store.createKey(key);
    return { ...this.describeKey(key), key: secret.key };
  }

  async listKeys(tenant?: string): Promise<KeyView[]> {
    if (tenant !== undefined) await this.getTenant(tenant);
    return (await this.options.store.listKeys(tenant)).map((key) => this.describeKey(key));
  }

  async revokeKey(id: string): Promise<KeyView> {
    if (!(await this.options.store.revokeKey(id, this.now))) {
      throw new ResourceNotFoundError({ message: `No key '${id}'.`, code: 'key_not_found', param: 'id' });
    }
    return this.describeKey((await this.options.store.getKey(id)) as VirtualKey);
  }

  async describeUsage(name: string): Promise<TenantUsage> {
    const tenant = await this.getTenant(name);
    const now = this.now;
    const period = findBudgetPeriod(tenant.budgetPeriod ?? 'month', now);
    const keys = await this.options.store.listKeys(name);
    return {
      tenant: tenant.name,
      budget:
        tenant.budgetUsd === undefined
          ? null
          : {
              usd: tenant.budgetUsd,
              period: tenant.budgetPeriod ?? 'month',
              spentUsd: await this.options.store.sumSpend({ tenant: name }, period.start),
              periodStart: new Date(period.start).toISOString(),
              resetsAt: new Date(period.end).toISOString(),
            },
      rpm: tenant.rpm ?? null,
      tpm: tenant.tpm ?? null,
      models: tenant.models ?? null,
      keys: await Promise.all(
        keys.map(async (key) => ({
          ...this.describeKey(key),
          spentUsd: await this.options.store.sumSpend(
            { keyId: key.id },
            findBudgetPeriod(key.budgetPeriod ?? 'month', now).start,
          ),
        })),
      ),
    };
  }

  private async getTenant(name: string): Promise<Tenant> {
    const tenant = await this.options.store.getTenant(name);
    if (!tenant) {
      throw new ResourceNotFoundError({
        message: `No tenant '${name}'.`,
        code: 'tenant_not_found',
        param: 'tenant',
      });
    }
    return tenant;
  }

  private checkModels(models: string[] | undefined): void {
    const unknown = models?.filter((name) => !this.options.modelNames.includes(name)) ?? [];
    if (unknown.length > 0) {
      throw new InvalidRequestError({
        message: `Unknown models: ${unknown.join(', ')} (configured: ${this.options.modelNames.join(', ')}).`,
        code: 'invalid_value',
        param: 'models',
      });
    }
  }

  private describeKey(key: VirtualKey): KeyView {
    const { hash: _hash, createdAt, expiresAt, revokedAt, ...rest } = key;
    return {
      ...rest,
      createdAt: new Date(createdAt).toISOString(),
      expiresAt: toIso(expiresAt),
      revokedAt: toIso(revokedAt),
    };
  }
}
