import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { parseConfig, type SwitchyardConfig } from '../../config/index.js';
import { createChatModels } from '../../create-chat-models.js';
import { MemoryQuotaStore, SqliteTenantStore } from '../../storage/index.js';
import { createApp } from '../create-app.js';
import { decideDashboardAccess } from './dashboard-access.js';
import { createSessionToken, verifySessionToken } from './dashboard-session.js';

function configOf(auth: Partial<SwitchyardConfig['auth']>): SwitchyardConfig {
  return { auth: { mode: 'none', ...auth } } as SwitchyardConfig;
}

/** The real app (createApp) with one cloud model that is never called, and no request log. */
async function createDashboardApp(
  auth: Partial<SwitchyardConfig['auth']>,
  keys: { adminKey?: string; apiKey?: string },
) {
  const config = parseConfig(
    {
      models: {
        cloud: { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-4o-mini' },
      },
      routing: { default: 'cloud' },
      auth,
    },
    'test',
  );
  const models = await createChatModels(config, {}, { progress() {}, loaded() {} });
  const tenants = auth.mode === 'keys' ? new SqliteTenantStore({ path: ':memory:' }) : undefined;
  const app = createApp({
    config,
    models,
    logger: pino({ level: 'silent' }),
    processMetrics: false,
    ...keys,
    ...(tenants
      ? { keys: { tenants, quotas: new MemoryQuotaStore(), localQuotas: new MemoryQuotaStore() } }
      : {}),
  });
  await app.ready();
  return app;
}

describe('dashboard access', () => {
  it('is open without auth, takes the admin key (or else the one gateway key), and is off with keys but no admin key', () => {
    assert.deepEqual(decideDashboardAccess(configOf({}), {}), { mode: 'open' });
    assert.deepEqual(decideDashboardAccess(configOf({ adminKeyEnv: 'A' }), { adminKey: 'k' }), {
      mode: 'key',
      key: 'k',
    });
    assert.deepEqual(decideDashboardAccess(configOf({}), { apiKey: 'g' }), { mode: 'key', key: 'g' });
    assert.equal(decideDashboardAccess(configOf({ adminKeyEnv: 'A' }), {}).mode, 'locked');
    assert.equal(decideDashboardAccess(configOf({ mode: 'keys' }), { apiKey: 'g' }).mode, 'locked');
  });

  it('accepts a session token signed with the key until it expires, and nothing altered', () => {
    const now = Date.now();
    const token = createSessionToken('key', now);
    assert.equal(verifySessionToken(token, 'key', now), true);
    assert.equal(verifySessionToken(token, 'other key', now), false);
    assert.equal(verifySessionToken(`${token.slice(0, -2)}xx`, 'key', now), false);
    assert.equal(verifySessionToken(token.replace(/^\d+/, String(now + 1e10)), 'key', now), false);
    assert.equal(verifySessionToken(token, 'key', now + 13 * 3_600_000), false);
  });

  it('logs in with the key into an HttpOnly, SameSite=Strict cookie that the stats API accepts', async () => {
    const app = await createDashboardApp({ adminKeyEnv: 'A' }, { adminKey: 'secret' });
    const stats = (headers: Record<string, string>) =>
      app.inject({ url: '/admin/v1/stats?sections=health', headers });
    assert.equal((await stats({})).statusCode, 401);
    assert.equal((await stats({ authorization: 'Bearer wrong' })).statusCode, 401);
    assert.equal((await stats({ authorization: 'Bearer secret' })).statusCode, 200);
    const refused = await app.inject({ method: 'POST', url: '/dashboard/login', payload: { key: 'wrong' } });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['set-cookie'], undefined);
    const login = await app.inject({ method: 'POST', url: '/dashboard/login', payload: { key: 'secret' } });
    assert.equal(login.statusCode, 204);
    const cookie = String(login.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const response = await stats({ cookie: cookie.split(';')[0] as string });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(response.json().health.requestLog, null);
    assert.equal(response.json().health.models[0].model, 'cloud');
    const logout = await app.inject({ method: 'POST', url: '/dashboard/logout' });
    assert.match(String(logout.headers['set-cookie']), /Max-Age=0/);
  });

  it('refuses a range it cannot read, naming the parameter', async () => {
    const app = await createDashboardApp({}, {});
    const response = await app.inject({ url: '/admin/v1/stats?range=5y' });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error.param, 'range');
    assert.equal((await app.inject({ url: '/admin/v1/stats?from=yesterday' })).json().error.param, 'from');
    assert.equal((await app.inject({ url: '/admin/v1/stats?status=abc' })).json().error.param, 'status');
    assert.equal((await app.inject({ url: '/admin/v1/stats' })).statusCode, 503, 'no request log to read');
  });

  it('stays off when keys are on without an admin key', async () => {
    const app = await createDashboardApp({ mode: 'keys' }, {});
    assert.equal((await app.inject({ url: '/admin/v1/stats?sections=health' })).statusCode, 403);
    assert.equal(
      (await app.inject({ method: 'POST', url: '/dashboard/login', payload: { key: 'x' } })).statusCode,
      403,
    );
    assert.equal((await app.inject({ url: '/dashboard/session' })).json().mode, 'locked');
  });

  it('serves the built page with a policy that allows only its own scripts', async () => {
    const app = await createDashboardApp({}, {});
    const page = await app.inject({ url: '/dashboard' });
    if (page.statusCode === 404) return; // not built in this checkout; npm test builds it first
    assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);
    assert.match(page.body, /<div id="app">/);
    const script = /src="\/dashboard\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1] as string;
    const asset = await app.inject({ url: `/dashboard/${script}` });
    assert.equal(asset.statusCode, 200);
    assert.match(asset.headers['content-type'] as string, /javascript/);
    assert.equal((await app.inject({ url: '/dashboard/../package.json' })).statusCode, 404);
  });
});
