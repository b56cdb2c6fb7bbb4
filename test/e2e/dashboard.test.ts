import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { computeWilsonInterval } from '../../src/contract/index.js';
import { runCli } from '../support/start-cli-server.js';
import {
  type DashboardGateway,
  sendKnownTraffic,
  startDashboardGateway,
} from '../support/start-dashboard-gateway.js';

const ADMIN_KEY = 'dashboard-admin-key-for-tests';
// The README's and docs/dashboard.md's pictures are taken by these tests: with
// UPDATE_SCREENSHOTS=1 they replace docs/img/; otherwise they go to a temporary folder, so that a
// test run leaves the checkout as it found it.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? new URL('../../docs/img/', import.meta.url).pathname
  : mkdtempSync(join(tmpdir(), 'switchyard-screenshots-'));
after(() => {
  if (!process.env.UPDATE_SCREENSHOTS) rmSync(SCREENSHOTS, { recursive: true, force: true });
});
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function launchBrowser(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'switchyard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function waitForRows(
  gateway: DashboardGateway,
  count: number,
  headers: Record<string, string>,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${gateway.url}/admin/v1/stats?range=1h&sections=overview`, { headers });
    const body = (await response.json()) as { totals?: { requests: number } };
    if (body.totals?.requests === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the log never showed ${count} requests`);
}

/** The page's text of a card's value. */
async function cardValue(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).locator('.value').textContent()) ?? '';
}

/** Waits until the element's text is `text` (or, with `contains`, includes it): evaluated in the page. */
async function waitForText(
  page: Page,
  selector: string,
  text: string,
  contains = false,
  timeout = 30_000,
): Promise<void> {
  // A function, not a string: the page's Content-Security-Policy forbids evaluating strings.
  await page.waitForFunction(
    (wanted) => {
      const page = globalThis as unknown as PageGlobals;
      const actual = page.document.querySelector(wanted.selector)?.textContent ?? '';
      return wanted.contains ? actual.includes(wanted.text) : actual === wanted.text;
    },
    { selector, text, contains },
    { timeout },
  );
}

/** What the predicates above read of the page, typed here because the tests compile without DOM types. */
interface PageGlobals {
  document: {
    querySelector(selector: string): { textContent: string | null } | null;
    querySelectorAll(selector: string): { length: number };
  };
  location: { hash: string };
}

const CARD = '[data-testid=card-requests] .value';

function formatUsd(value: number): string {
  return `$${value.toFixed(Math.abs(value) >= 100 ? 2 : Math.abs(value) >= 1 ? 3 : 5)}`;
}

describe('dashboard in Chromium, against a gateway with known traffic', { timeout: 120_000 }, () => {
  let gateway: DashboardGateway;
  let ids: Record<string, string>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let log: Database.Database;
  const bearer = { authorization: `Bearer ${ADMIN_KEY}` };
  const sql = <Row = { n: number }>(query: string) => log.prepare(query).get() as Row;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gateway = await startDashboardGateway({ adminKey: ADMIN_KEY });
    ids = await sendKnownTraffic(gateway.url);
    await waitForRows(gateway, 8, bearer);
    log = new Database(gateway.database, { readonly: true });
    browser = await launchBrowser();
  });
  after(async () => {
    log?.close();
    await browser?.close();
    await gateway?.stop();
  });

  it('asks for the admin key in a form, refuses a wrong one, and keeps the API closed', async () => {
    assert.equal((await fetch(`${gateway.url}/admin/v1/stats`)).status, 401);
    assert.equal((await fetch(`${gateway.url}/admin/v1/stats/requests/${ids.local}`)).status, 401);
    const wrongCookie = { cookie: 'switchyard_session=1999999999999.abc.def' };
    assert.equal((await fetch(`${gateway.url}/admin/v1/stats`, { headers: wrongCookie })).status, 401);
    const { page } = browser;
    await page.goto(`${gateway.url}/dashboard`);
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.getByTestId('card-requests').count(), 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-login.png') });
    await page.getByTestId('login-key').fill('not-the-key');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await page.getByTestId('login-key').fill(ADMIN_KEY);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('card-requests').waitFor();
    const cookies = await browser.context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'switchyard_session');
    assert.equal(session?.httpOnly, true);
    assert.equal(session?.sameSite, 'Strict');
  });

  it('shows the split, the savings and the money as SQL over the log gives them', async () => {
    const { page } = browser;
    const expected = sql<
      Record<
        | 'requests'
        | 'local'
        | 'answered'
        | 'escalated'
        | 'fallbacks'
        | 'errors'
        | 'cost'
        | 'unknown'
        | 'baseline'
        | 'savings',
        number
      >
    >(`SELECT count(*) AS requests,
        sum(final_model = 'local') AS local, sum(final_model IS NOT NULL) AS answered,
        sum(escalated) AS escalated, sum(reason_kind = 'fallback') AS fallbacks, sum(status >= 400) AS errors,
        total(cost_usd) AS cost, sum(cost_usd IS NULL) AS unknown, total(baseline_cost_usd) AS baseline,
        total(CASE WHEN cost_usd IS NOT NULL AND baseline_cost_usd IS NOT NULL THEN baseline_cost_usd - cost_usd END) AS savings
      FROM requests`);
    assert.deepEqual([expected.requests, expected.local, expected.answered], [8, 3, 7]);
    assert.equal(await cardValue(page, 'card-requests'), '8');
    assert.equal(
      await cardValue(page, 'card-slm-share'),
      `${((expected.local / expected.answered) * 100).toFixed(1)}%`,
    );
    assert.equal(await cardValue(page, 'card-escalation'), `${((expected.escalated / 8) * 100).toFixed(1)}%`);
    assert.equal(await cardValue(page, 'card-fallback'), `${((expected.fallbacks / 8) * 100).toFixed(1)}%`);
    assert.equal(await cardValue(page, 'card-errors'), `${((expected.errors / 8) * 100).toFixed(1)}%`);
    assert.equal(await cardValue(page, 'card-cost'), formatUsd(expected.cost));
    assert.equal(await cardValue(page, 'card-savings'), formatUsd(expected.savings));
    assert.equal(expected.unknown, 1);
    assert.match((await page.getByTestId('card-cost').textContent()) ?? '', /\+ 1 requests of unknown cost/);
    const api = (await (
      await fetch(`${gateway.url}/admin/v1/stats?range=24h`, { headers: bearer })
    ).json()) as {
      totals: Record<string, number>;
    };
    assert.equal(api.totals.requests, expected.requests);
    assert.ok(Math.abs((api.totals.costUsd as number) - expected.cost) < 1e-12);
    assert.ok(Math.abs((api.totals.savingsUsd as number) - expected.savings) < 1e-12);
    const rules = await page.getByTestId('why-reasons').textContent();
    for (const reason of ['escalated', 'fallback', 'residency', 'forced'])
      assert.match(rules ?? '', new RegExp(reason));
    assert.match((await page.getByTestId('health').textContent()) ?? '', /0 rows pending, 0 failed/);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-overview.png'), fullPage: true });
  });

  it('filters by model and by time range', async () => {
    const { page } = browser;
    await page.getByTestId('filter-model').selectOption('cloud');
    await waitForText(page, CARD, '3');
    assert.equal(sql("SELECT count(*) AS n FROM requests WHERE final_model = 'cloud'").n, 3);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-filtered.png'), fullPage: true });
    await page.getByTestId('filter-model').selectOption('');
    await page.getByTestId('range-1h').click();
    await page.waitForFunction(() =>
      (globalThis as unknown as PageGlobals).location.hash.includes('range=1h'),
    );
    await waitForText(page, CARD, '8');
    await page.getByTestId('custom-range').locator('input[name=from]').fill('2020-01-01T00:00:00');
    await page.getByTestId('custom-range').locator('input[name=to]').fill('2020-01-02T00:00:00');
    await page.getByTestId('custom-range').locator('button').click();
    await waitForText(page, CARD, '0');
    assert.match((await page.getByTestId('range-text').textContent()) ?? '', /2020-01-01T00:00:00.000Z/);
    await page.getByTestId('range-7d').click();
    await waitForText(page, CARD, '8');
  });

  it('pages the requests and opens one with its reason, scores, attempts and escalation', async () => {
    const { page } = browser;
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('request-row').first().waitFor();
    assert.equal(await page.getByTestId('request-row').count(), 8);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-requests.png'), fullPage: true });
    await page.locator(`[data-id="${ids.escalation}"]`).click();
    await page.getByTestId('request-detail').waitFor();
    assert.match(
      (await page.getByTestId('detail-reason').textContent()) ?? '',
      /^Escalated from local to cloud/,
    );
    assert.match(
      (await page.getByTestId('detail-escalation').textContent()) ?? '',
      /escalated: low_confidence/,
    );
    assert.match((await page.getByTestId('detail-models').textContent()) ?? '', /auto → local → cloud/);
    const attempts = await page.getByTestId('detail-attempts').locator('tbody tr').allTextContents();
    assert.equal(attempts.length, 2);
    assert.match(attempts[0] ?? '', /local.*primary.*ok/);
    assert.match(attempts[1] ?? '', /cloud.*escalation.*ok/);
    assert.match((await page.getByTestId('detail-scores').textContent()) ?? '', /taskType/);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-request.png'), fullPage: true });
    await page.goto(`${gateway.url}/dashboard#/request/${ids.pii}`);
    await waitForText(page, '[data-testid=detail-rule]', 'residency', true);
    assert.match((await page.getByTestId('detail-request-content').textContent()) ?? '', /\[EMAIL\]/);
  });

  it('shows a prompt with markup as text and runs none of it', async () => {
    const { page } = browser;
    await page.goto(`${gateway.url}/dashboard#/request/${ids.xss}`);
    await waitForText(page, '[data-testid=detail-request-content]', '__xss', true);
    const shown = (await page.getByTestId('detail-request-content').textContent()) ?? '';
    assert.match(shown, /<script>window.__xss=1<\/script><img src=x onerror="window.__xss=2">/);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    assert.equal(await page.getByTestId('request-detail').locator('img, script').count(), 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-xss.png'), fullPage: true });
  });

  it('refreshes live as traffic arrives, without reloading the page', async () => {
    const { page } = browser;
    await page.goto(`${gateway.url}/dashboard#/overview?range=1h`);
    await waitForText(page, CARD, '8');
    await page.evaluate('window.__sameLoad = true');
    await sendKnownTraffic(gateway.url).then(() => undefined);
    await waitForText(page, CARD, '16', false, 15_000);
    assert.equal(await page.evaluate('window.__sameLoad'), true);
  });

  it('logs out', async () => {
    const { page } = browser;
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    await page.reload();
    await page.getByTestId('login-form').waitFor();
  });
});

describe('dashboard without auth configured', { timeout: 60_000 }, () => {
  it('is open, like the gateway', async () => {
    const gateway = await startDashboardGateway();
    const browser = await launchBrowser();
    try {
      await sendKnownTraffic(gateway.url);
      await waitForRows(gateway, 8, {});
      await browser.page.goto(`${gateway.url}/dashboard`);
      await browser.page.getByTestId('card-requests').waitFor();
      assert.equal(await browser.page.getByTestId('login-form').count(), 0);
      assert.equal(await browser.page.getByTestId('logout').count(), 0);
      assert.equal((await fetch(`${gateway.url}/admin/v1/stats`)).status, 200);
    } finally {
      await browser.close();
      await gateway.stop();
    }
  });
});

describe('dashboard evidence and spend in Chromium, against SQL over the log', { timeout: 120_000 }, () => {
  let gateway: DashboardGateway;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let log: Database.Database;
  const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
  const rows = <Row>(query: string) => log.prepare(query).all() as Row[];

  async function waitForSql(query: string, atLeast: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const reader = new Database(gateway.database, { readonly: true });
      const count = (reader.prepare(query).get() as { n: number }).n;
      reader.close();
      if (count >= atLeast) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`never ${atLeast} rows: ${query}`);
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gateway = await startDashboardGateway({
      adminKey: ADMIN_KEY,
      keys: true,
      routing: `  shadow: [{ from: cloud, to: local, sample: 1, maxConcurrent: 16, judge: judge }]
  rollout: [{ id: local-to-cloud, from: local, to: cloud, share: 0.2, sticky: request }]
`,
      extra: 'feedback: { metrics: { correct: { type: boolean } } }\n',
    });
    for (const tenant of [
      { name: 'acme', budgetUsd: 0.01, budgetPeriod: 'month' },
      { name: 'globex', budgetUsd: 0.02, budgetPeriod: 'day' },
    ]) {
      const created = await fetch(`${gateway.url}/admin/v1/tenants`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify(tenant),
      });
      assert.equal(created.status, 201, await created.text());
    }
    const keys: string[] = [];
    for (const key of [{ tenant: 'acme', budgetUsd: 0.005 }, { tenant: 'globex' }]) {
      const created = await fetch(`${gateway.url}/admin/v1/keys`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify(key),
      });
      assert.equal(created.status, 201);
      keys.push(((await created.json()) as { key: string }).key);
    }
    const acme = await sendKnownTraffic(gateway.url, { authorization: `Bearer ${keys[0]}` });
    await sendKnownTraffic(gateway.url, { authorization: `Bearer ${keys[1]}` });
    // Shadowed on the embedded model: these fit its context (the known cloud requests ask for more
    // output than it has room for, so their shadow calls fail and count as pairs without a verdict).
    for (const content of ['The capital of France?', 'Is Paris in France?', 'Name a colour.']) {
      const answer = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[0]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'cloud', messages: [{ role: 'user', content }], max_tokens: 8 }),
      });
      assert.equal(answer.status, 200, await answer.text());
    }
    await waitForSql('SELECT count(*) AS n FROM requests', 19);
    for (const [name, value] of [
      ['local', true],
      ['cloud', true],
      ['escalation', false],
      ['pii', true],
    ] as const) {
      const rated = await fetch(`${gateway.url}/v1/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[0]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: acme[name], metric: 'correct', value }),
      });
      assert.equal(rated.status, 200, await rated.text());
    }
    const set = await runCli(['rollout', 'set', 'local-to-cloud', '0.5', '--config', gateway.config]);
    assert.equal(set.code, 0, set.stderr);
    await waitForSql("SELECT count(*) AS n FROM shadow_pairs WHERE status = 'ok'", 3);
    // The shadow calls run after their answers: wait until no more arrive.
    let pairs = -1;
    for (;;) {
      const reader = new Database(gateway.database, { readonly: true });
      const count = (reader.prepare('SELECT count(*) AS n FROM shadow_pairs').get() as { n: number }).n;
      reader.close();
      if (count === pairs) break;
      pairs = count;
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    await waitForSql('SELECT count(*) AS n FROM feedback', 4);
    log = new Database(gateway.database, { readonly: true });
    browser = await launchBrowser();
    await browser.page.goto(`${gateway.url}/dashboard#/overview?range=24h`);
    await browser.page.getByTestId('login-key').fill(ADMIN_KEY);
    await browser.page.getByTestId('login-submit').click();
    await browser.page.getByTestId('card-requests').waitFor();
  });
  after(async () => {
    log?.close();
    await browser?.close();
    await gateway?.stop();
  });

  it('shows spend against budget per tenant and key as SQL sums it', async () => {
    const { page } = browser;
    await page.getByTestId('spend').waitFor();
    const spent = rows<{ scope: string; id: string; spent: number }>(
      `SELECT 'tenant' AS scope, tenant AS id, total(cost_usd) AS spent FROM requests WHERE tenant IS NOT NULL GROUP BY tenant
       UNION ALL SELECT 'key', key_id, total(cost_usd) FROM requests WHERE key_id IS NOT NULL GROUP BY key_id`,
    );
    assert.equal(spent.filter((row) => row.scope === 'tenant').length, 2);
    const table = (await page.getByTestId('spend').locator('tbody tr').allTextContents()).join('\n');
    for (const row of spent) {
      assert.ok(row.spent > 0, `${row.id} spent something`);
      assert.ok(
        table.includes(formatUsd(row.spent)),
        `${row.scope} ${row.id}: ${formatUsd(row.spent)} in ${table}`,
      );
    }
    const acme = spent.find((row) => row.id === 'acme')?.spent as number;
    const used = `${((acme / 0.01) * 100).toFixed(1)}%`;
    assert.ok(table.includes(`acmemonth${formatUsd(acme)}${formatUsd(0.01)}${used}`), table);
    const api = (await (
      await fetch(`${gateway.url}/admin/v1/stats?sections=spend`, { headers: admin })
    ).json()) as { spend: { tenants: { tenant: string; spentUsd: number; keys: { spentUsd: number }[] }[] } };
    for (const tenant of api.spend.tenants) {
      const expected = spent.find((row) => row.scope === 'tenant' && row.id === tenant.tenant)
        ?.spent as number;
      assert.ok(Math.abs(tenant.spentUsd - expected) < 1e-12, tenant.tenant);
    }
    await page.getByTestId('spend').screenshot({ path: join(SCREENSHOTS, 'dashboard-spend.png') });
  });

  it('shows shadow agreement per route and task type with its interval, as SQL counts it', async () => {
    const { page } = browser;
    await page.getByTestId('shadow').waitFor();
    const groups = rows<{
      route: string | null;
      task_type: string | null;
      pairs: number;
      scored: number;
      agreed: number;
    }>(
      `SELECT route, task_type, count(*) AS pairs, count(agreement) AS scored, total(agreement) AS agreed
       FROM shadow_pairs GROUP BY from_model, to_model, route, task_type`,
    );
    const shown = await page.getByTestId('shadow').locator('tbody tr').allTextContents();
    assert.equal(shown.length, groups.length);
    for (const group of groups) {
      const interval = computeWilsonInterval(group.agreed, group.scored);
      const agreement = group.scored ? `${((group.agreed / group.scored) * 100).toFixed(1)}%` : '–';
      const bounds = interval
        ? `${(interval.low * 100).toFixed(1)}%–${(interval.high * 100).toFixed(1)}%`
        : '–';
      const text = `cloud → local${group.route ?? '–'}${group.task_type ?? '–'}${group.pairs}${agreement}${bounds}`;
      assert.ok(shown.includes(text), `${text} in ${JSON.stringify(shown)}`);
    }
  });

  it('shows the rollout share over time with each change and its cause', async () => {
    const { page } = browser;
    await page.getByTestId('rollouts').waitFor();
    const changes = rows<{ from_share: number; to_share: number; cause: string }>(
      "SELECT from_share, to_share, cause FROM rollout_events WHERE id = 'local-to-cloud' ORDER BY at",
    );
    assert.deepEqual(
      changes.map((change) => change.cause),
      ['config', 'manual'],
    );
    const shown = await page.getByTestId('rollout-changes').locator('tbody tr').allTextContents();
    assert.deepEqual(
      shown.map((row) => row.replace(/^\S+Z/, '')),
      changes.map(
        (change) =>
          `${(change.from_share * 100).toFixed(1)}%${(change.to_share * 100).toFixed(1)}%${change.cause}`,
      ),
    );
    assert.match((await page.getByTestId('rollout-chart').textContent()) ?? '', /local-to-cloud: 50\.0%/);
    assert.equal(await page.getByTestId('rollout-chart').locator('canvas').count(), 1);
  });

  it('filters by tenant, status, rule, task type and reason, and pages through all, as SQL selects', async () => {
    const { page } = browser;
    const count = (where: string) =>
      rows<{ n: number }>(`SELECT count(*) AS n FROM requests WHERE ${where}`)[0]?.n as number;
    const cases: [string, string, string, string][] = [
      ['tenant', 'globex', "tenant = 'globex'", 'input'],
      ['status', '5xx', 'status >= 500', 'select'],
      ['rule', 'residency', "rule = 'residency'", 'select'],
      ['reason', 'fallback', "reason_kind = 'fallback'", 'select'],
      ['taskType', 'conversation', "task_type = 'conversation'", 'select'],
    ];
    for (const [name, value, where, control] of cases) {
      const expected = count(where);
      assert.ok(expected > 0 && expected < count('1 = 1'), `${name}=${value} selects some: ${expected}`);
      await page.goto(`${gateway.url}/dashboard#/overview?range=24h`);
      await waitForText(page, CARD, String(count('1 = 1')));
      if (control === 'input') {
        await page.getByTestId(`filter-${name}`).fill(value);
        await page.getByTestId(`filter-${name}`).dispatchEvent('change');
      } else {
        await page.getByTestId(`filter-${name}`).selectOption(value);
      }
      await waitForText(page, CARD, String(expected));
      await page.getByTestId('nav-requests').click();
      await page.waitForFunction(
        (wanted) =>
          (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-testid=request-row]')
            .length === wanted,
        expected,
      );
    }
    // The API pages through the whole log, newest first, as SQL orders it.
    const ids: string[] = [];
    let before: string | null = null;
    do {
      const response = await fetch(
        `${gateway.url}/admin/v1/stats/requests?range=24h&limit=4${before ? `&before=${before}` : ''}`,
        { headers: admin },
      );
      const body = (await response.json()) as { data: { id: string }[]; next: string | null };
      ids.push(...body.data.map((row) => row.id));
      before = body.next;
    } while (before);
    assert.deepEqual(
      ids,
      rows<{ id: string }>('SELECT id FROM requests ORDER BY started_at DESC, id DESC').map((row) => row.id),
    );
    await page.goto(`${gateway.url}/dashboard#/overview?range=24h`);
    await waitForText(page, CARD, String(count('1 = 1')));
  });

  it('shows feedback by model as SQL averages it', async () => {
    const { page } = browser;
    await page.getByTestId('feedback').waitFor();
    const expected = rows<{ model: string; ratings: number; mean: number }>(
      "SELECT model, count(*) AS ratings, avg(value) AS mean FROM feedback WHERE metric = 'correct' GROUP BY model",
    );
    assert.ok(expected.some((row) => row.model === 'cloud'));
    const shown = await page.getByTestId('feedback').locator('tbody tr').allTextContents();
    assert.equal(shown.length, expected.length);
    for (const row of expected) {
      const text = `${row.model}correct${row.ratings}${row.mean.toFixed(3)}`;
      assert.ok(shown.includes(text), `${text} in ${JSON.stringify(shown)}`);
    }
    await page.getByTestId('evidence').screenshot({ path: join(SCREENSHOTS, 'dashboard-evidence.png') });
  });
});
