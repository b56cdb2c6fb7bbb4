import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { describeQuotaStore } from '../quota-store.case.js';
import { RedisQuotaStore } from './redis-quota-store.js';

// The machine's Redis, with a prefix of this run's own, removed afterwards.
const url = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `switchyard-test:${randomUUID()}:`;
const admin = new Redis(url);

after(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

describeQuotaStore(
  'redis',
  async () => {
    const store = new RedisQuotaStore({ url, keyPrefix: prefix });
    await store.ready();
    return store;
  },
  {
    // Losing every key of the store is what a Redis restart without persistence does.
    restart: async () => {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    },
  },
);
