import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutcome } from '../../test/support/create-outcome.js';
import type { RequestLog } from './request-log.js';
import type { Tenant, TenantStore, VirtualKey } from './tenant-store.js';

/** A tenant store and the request log it sums spend from, on one fresh database. */
export interface TenantStoreDatabase {
  tenants: TenantStore;
  requestLog: RequestLog;
  dispose(): Promise<void>;
}

const CREATED = Date.UTC(2026, 11, 1, 9, 30, 0, 123);
const HOUR = 3_600_000;

function key(id: string, tenant: string, overrides: Partial<VirtualKey> = {}): VirtualKey {
  return {
    id,
    tenant,
    hash: `hash-of-${id}`,
    prefix: `sy-${id.slice(0, 4)}`,
    createdAt: CREATED,
    expiresAt: null,
    revokedAt: null,
    ...overrides,
  };
}

/** The behaviour every TenantStore must have, against a real database of its kind. */
export function describeTenantStore(name: string, createDatabase: () => Promise<TenantStoreDatabase>): void {
  describe(`TenantStore contract: ${name}`, () => {
    const withDatabase = (test: (database: TenantStoreDatabase) => Promise<void>) => async () => {
      const database = await createDatabase();
      try {
        await test(database);
      } finally {
        await database.dispose();
      }
    };

    it(
      'creates a tenant once, keeps every limit it has and none it lacks, and lists tenants by name',
      withDatabase(async ({ tenants }) => {
        const full: Tenant = {
          name: 'acme',
          createdAt: CREATED,
          budgetUsd: 12.5,
          budgetPeriod: 'month',
          rpm: 60,
          tpm: 90_000,
          models: ['local', 'cloud'],
        };
        assert.equal(await tenants.createTenant(full), true);
        assert.equal(await tenants.createTenant({ name: 'acme', createdAt: CREATED + 1, rpm: 1 }), false);
        assert.equal(await tenants.createTenant({ name: 'bare', createdAt: CREATED }), true);
        assert.deepEqual(await tenants.getTenant('acme'), full);
        assert.deepEqual(await tenants.getTenant('bare'), { name: 'bare', createdAt: CREATED });
        assert.equal(await tenants.getTenant('nobody'), undefined);
        assert.deepEqual(
          (await tenants.listTenants()).map((tenant) => tenant.name),
          ['acme', 'bare'],
        );
      }),
    );

    it(
      'stores keys of existing tenants, found by id and by hash, listed all or per tenant',
      withDatabase(async ({ tenants }) => {
        await tenants.createTenant({ name: 'a', createdAt: CREATED });
        await tenants.createTenant({ name: 'b', createdAt: CREATED });
        const limited = key('k1', 'a', {
          budgetUsd: 1,
          budgetPeriod: 'day',
          rpm: 30,
          tpm: 1000,
          models: ['local'],
          expiresAt: CREATED + 30 * 24 * HOUR,
        });
        await tenants.createKey(limited);
        await tenants.createKey(key('k2', 'b', { createdAt: CREATED + 1 }));
        await tenants.createKey(key('k3', 'a', { createdAt: CREATED + 2 }));
        assert.deepEqual(await tenants.getKey('k1'), limited);
        assert.deepEqual(
          await tenants.findKeyByHash('hash-of-k2'),
          key('k2', 'b', { createdAt: CREATED + 1 }),
        );
        assert.equal(await tenants.getKey('missing'), undefined);
        assert.equal(await tenants.findKeyByHash('missing'), undefined);
        assert.deepEqual(
          (await tenants.listKeys()).map((each) => each.id),
          ['k1', 'k2', 'k3'],
        );
        assert.deepEqual(
          (await tenants.listKeys('a')).map((each) => each.id),
          ['k1', 'k3'],
        );
        assert.deepEqual(await tenants.listKeys('nobody'), []);
      }),
    );

    it(
      'refuses a key of an unknown tenant, and a second key with the same id or hash',
      withDatabase(async ({ tenants }) => {
        await tenants.createTenant({ name: 'a', createdAt: CREATED });
        await assert.rejects(tenants.createKey(key('k1', 'ghost')), /unknown tenant "ghost"/);
        await tenants.createKey(key('k1', 'a'));
        await assert.rejects(tenants.createKey(key('k1', 'a', { hash: 'other' })), /id or hash exists/);
        await assert.rejects(tenants.createKey(key('k2', 'a', { hash: 'hash-of-k1' })), /id or hash exists/);
        assert.deepEqual(
          (await tenants.listKeys()).map((each) => each.id),
          ['k1'],
        );
      }),
    );

    it(
      'revokes a key once: revoking again keeps the first time, an unknown id is false',
      withDatabase(async ({ tenants }) => {
        await tenants.createTenant({ name: 'a', createdAt: CREATED });
        await tenants.createKey(key('k1', 'a'));
        assert.equal(await tenants.revokeKey('k1', CREATED + HOUR), true);
        assert.equal(await tenants.revokeKey('k1', CREATED + 2 * HOUR), true);
        assert.equal((await tenants.getKey('k1'))?.revokedAt, CREATED + HOUR);
        assert.equal((await tenants.findKeyByHash('hash-of-k1'))?.revokedAt, CREATED + HOUR);
        assert.equal(await tenants.revokeKey('nope', CREATED), false);
      }),
    );

    it(
      'sums the logged cost of a tenant or a key from a time on',
      withDatabase(async ({ tenants, requestLog }) => {
        const since = Date.UTC(2026, 11, 1);
        const rows: [string, string | null, string | null, number, number | null][] = [
          ['before', 'a', 'k1', since - 1, 100],
          ['at', 'a', 'k1', since, 0.5],
          ['later', 'a', 'k1', since + HOUR, 0.25],
          ['other-key', 'a', 'k2', since + HOUR, 0.125],
          ['unpriced', 'a', 'k1', since + HOUR, null],
          ['other-tenant', 'b', 'k3', since + HOUR, 8],
          ['no-tenant', null, null, since + HOUR, 16],
        ];
        for (const [id, tenant, keyId, startedAt, costUsd] of rows) {
          requestLog.append(createOutcome(id, { tenant, keyId, startedAt, costUsd }));
        }
        await requestLog.flush();
        assert.equal(await tenants.sumSpend({ tenant: 'a' }, since), 0.875);
        assert.equal(await tenants.sumSpend({ tenant: 'a' }, since - 1), 100.875);
        assert.equal(await tenants.sumSpend({ keyId: 'k1' }, since), 0.75);
        assert.equal(await tenants.sumSpend({ keyId: 'k2' }, since + HOUR + 1), 0);
        assert.equal(await tenants.sumSpend({ tenant: 'b' }, since), 8);
        assert.equal(await tenants.sumSpend({ tenant: 'nobody' }, since), 0);
      }),
    );
  });
}
