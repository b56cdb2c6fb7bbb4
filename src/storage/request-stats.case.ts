import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSyntheticOutcomes } from '../../test/support/create-synthetic-outcomes.js';
import type { RequestLog } from './request-log.js';
import type { ModelFeedback, RequestStats, ShadowAgreement, StatsFilter } from './request-stats.js';

type Row = Record<string, unknown>;

export interface RequestStatsFixture {
  requestLog: RequestLog;
  stats: RequestStats;
  /** Plain SQL over the same log (`?` placeholders), written here independently of the stats code. */
  query(sql: string, values?: unknown[]): Promise<Row[]>;
  /** Plain SQL that writes (`?` placeholders): the evidence tables' rows, as their stores would. */
  write(sql: string, values?: unknown[]): Promise<void>;
  isTrue(column: string): string;
  dispose(): Promise<void>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOCAL = ['local'];

/** numpy's default percentile: linear interpolation between the two nearest ranks. */
function percentile(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

function closeTo(actual: number | null, expected: number | null, message: string): void {
  if (actual === null || expected === null) {
    assert.equal(actual, expected, message);
    return;
  }
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${message}: ${actual} != ${expected}`,
  );
}

/** SQL conditions of a filter, written out plainly. */
function whereOf(from: number, to: number, filter: StatsFilter): { sql: string; values: unknown[] } {
  const parts = ['started_at >= ?', 'started_at < ?'];
  const values: unknown[] = [new Date(from).toISOString(), new Date(to).toISOString()];
  const columns = { model: 'final_model', rule: 'rule', taskType: 'task_type', tenant: 'tenant' } as const;
  for (const [field, column] of Object.entries(columns)) {
    const value = filter[field as keyof typeof columns];
    if (value === undefined) continue;
    parts.push(`${column} = ?`);
    values.push(value);
  }
  if (filter.status === '5xx') parts.push('status >= 500 AND status < 600');
  return { sql: parts.join(' AND '), values };
}

/** The statistics contract: every number equals SQL over the same rows, for any range and filter. */
export function describeRequestStats(name: string, setup: () => Promise<RequestStatsFixture>): void {
  describe(`request stats (${name})`, () => {
    let fixture: RequestStatsFixture;
    const now = Date.now();
    before(async () => {
      fixture = await setup();
      const older = createSyntheticOutcomes({
        count: 2_500,
        from: now - 40 * DAY,
        to: now - 2 * HOUR,
        seed: 7,
      });
      const recent = createSyntheticOutcomes({
        count: 300,
        from: now - 2 * HOUR,
        to: now - 1000,
        seed: 8,
        content: true,
      });
      for (const outcome of [...older, ...recent]) fixture.requestLog.append(outcome);
      await fixture.requestLog.flush();
    });
    after(async () => {
      await fixture.stats.close();
      await fixture.dispose();
    });

    const ranges = { '1h': now - HOUR, '24h': now - DAY, '7d': now - 7 * DAY, '30d': now - 30 * DAY };
    const filters: StatsFilter[] = [
      {},
      { model: 'cloud' },
      { rule: 'hard-to-cloud' },
      { taskType: 'code', tenant: 'acme' },
      { status: '5xx' },
    ];
    for (const [rangeName, from] of Object.entries(ranges)) {
      for (const filter of filters) {
        it(`equals SQL over the log for ${rangeName} with ${JSON.stringify(filter)}`, async () => {
          const to = now;
          const overview = await fixture.stats.overview({ from, to, filter, localModels: LOCAL });
          const where = whereOf(from, to, filter);
          const [expected] = await fixture.query(
            `SELECT count(*) AS requests,
               sum(CASE WHEN final_model = 'local' THEN 1 ELSE 0 END) AS local,
               sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
               sum(CASE WHEN ${fixture.isTrue('escalated')} THEN 1 ELSE 0 END) AS escalated,
               sum(CASE WHEN reason_kind = 'fallback' THEN 1 ELSE 0 END) AS fallbacks,
               coalesce(sum(cost_usd), 0) AS cost,
               sum(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unknown_cost,
               coalesce(sum(baseline_cost_usd), 0) AS baseline,
               coalesce(sum(CASE WHEN cost_usd IS NOT NULL AND baseline_cost_usd IS NOT NULL
                 THEN baseline_cost_usd - cost_usd END), 0) AS savings
             FROM requests WHERE ${where.sql}`,
            where.values,
          );
          const totals = overview.totals;
          assert.equal(totals.requests, Number(expected?.requests));
          assert.equal(totals.local, Number(expected?.local ?? 0));
          assert.equal(totals.errors, Number(expected?.errors ?? 0));
          assert.equal(totals.escalated, Number(expected?.escalated ?? 0));
          assert.equal(totals.fallbacks, Number(expected?.fallbacks ?? 0));
          assert.equal(totals.unknownCost, Number(expected?.unknown_cost ?? 0));
          closeTo(totals.costUsd, Number(expected?.cost), 'cost');
          closeTo(totals.baselineCostUsd, Number(expected?.baseline), 'baseline');
          closeTo(totals.savingsUsd, Number(expected?.savings), 'savings');
          assert.equal(
            overview.series.reduce((sum, bucket) => sum + bucket.requests, 0),
            totals.requests,
            'the series adds up to the total',
          );
          const rules = await fixture.query(
            `SELECT rule, count(*) AS requests FROM requests WHERE ${where.sql} GROUP BY rule`,
            where.values,
          );
          assert.deepEqual(
            Object.fromEntries(overview.why.rules.map((group) => [group.key, group.requests])),
            Object.fromEntries(rules.map((row) => [row.rule, Number(row.requests)])),
          );
          const tasks = await fixture.query(
            `SELECT task_type, count(*) AS requests FROM requests WHERE ${where.sql} GROUP BY task_type`,
            where.values,
          );
          assert.deepEqual(
            Object.fromEntries(overview.why.taskTypes.map((group) => [group.key, group.requests])),
            Object.fromEntries(tasks.map((row) => [row.task_type, Number(row.requests)])),
          );
          if (overview.latency.exact) {
            for (const model of overview.latency.models.filter((entry) => entry.model !== 'none')) {
              const values = await fixture.query(
                `SELECT latency_ms FROM requests WHERE ${where.sql} AND final_model = ?`,
                [...where.values, model.model],
              );
              const latencies = values.map((row) => Number(row.latency_ms));
              closeTo(model.latencyMs.p50, percentile(latencies, 0.5), `${model.model} p50`);
              closeTo(model.latencyMs.p99, percentile(latencies, 0.99), `${model.model} p99`);
            }
          }
        });
      }
    }

    it('pages through a whole range, newest first, each request once', async () => {
      const from = now - 3 * DAY;
      const seen: string[] = [];
      let before: string | undefined;
      do {
        const page = await fixture.stats.listRequests({
          from,
          to: now,
          filter: {},
          localModels: LOCAL,
          limit: 200,
          ...(before ? { before } : {}),
        });
        seen.push(...page.requests.map((request) => request.startedAt + request.id));
        before = page.next ?? undefined;
      } while (before);
      const [count] = await fixture.query(
        'SELECT count(*) AS n FROM requests WHERE started_at >= ? AND started_at < ?',
        [new Date(from).toISOString(), new Date(now).toISOString()],
      );
      assert.equal(seen.length, Number(count?.n));
      assert.equal(new Set(seen).size, seen.length);
      assert.deepEqual(seen, [...seen].sort().reverse());
    });

    it('shows one request with its attempts, scores and content as logged', async () => {
      const page = await fixture.stats.listRequests({
        from: now - HOUR,
        to: now,
        filter: { reason: 'escalated' },
        localModels: LOCAL,
        limit: 1,
      });
      const id = page.requests[0]?.id as string;
      const detail = await fixture.stats.getRequest(id);
      assert.equal(detail?.escalated, true);
      assert.deepEqual(
        detail?.attempts.map((attempt) => attempt.role),
        ['primary', 'escalation'],
      );
      assert.equal(typeof detail?.scores?.taskType, 'string');
      assert.match(detail?.requestContent ?? '', /question/);
      assert.equal(await fixture.stats.getRequest('no-such-id'), undefined);
    });

    it('sums spend per tenant and key as budgets do', async () => {
      const since = now - 5 * DAY;
      const [spent] = await fixture.stats.sumSpend([{ scope: 'tenant', id: 'acme', since }]);
      const [row] = await fixture.query(
        'SELECT coalesce(sum(cost_usd), 0) AS spent FROM requests WHERE tenant = ? AND started_at >= ?',
        ['acme', new Date(since).toISOString()],
      );
      closeTo(spent as number, Number(row?.spent), 'spend');
    });

    it('counts a row written late into an hour it already summed', async () => {
      const from = now - 7 * DAY;
      const before = await fixture.stats.overview({ from, to: now, filter: {}, localModels: LOCAL });
      const [late] = createSyntheticOutcomes({
        count: 1,
        from: now - 3 * HOUR,
        to: now - 3 * HOUR + 1000,
        seed: 99,
      });
      fixture.requestLog.append({ ...(late as NonNullable<typeof late>), id: 'late-row' });
      await fixture.requestLog.flush();
      const afterwards = await fixture.stats.overview({ from, to: now, filter: {}, localModels: LOCAL });
      assert.equal(afterwards.totals.requests, before.totals.requests + 1);
    });

    it('has no evidence before the migration loop writes any', async () => {
      assert.deepEqual(await fixture.stats.evidence(now - DAY, now), {
        shadow: null,
        rollouts: null,
        feedback: null,
      });
    });

    it('reads shadow agreement, rollout changes and feedback as SQL over their tables does', async () => {
      const at = (ms: number) => new Date(ms).toISOString();
      const pairs: [string, string | null, string | null, number | null, number][] = [
        ['local', 'cloud', 'faq', 1, now - HOUR],
        ['local', 'cloud', 'faq', 0, now - 2 * HOUR],
        ['local', 'cloud', 'faq', null, now - 3 * HOUR],
        ['local', 'cloud', 'code', 1, now - 4 * HOUR],
        ['local', null, null, 1, now - 5 * HOUR],
        ['local', 'cloud', 'faq', 1, now - 3 * DAY],
      ];
      for (const [index, [to, route, taskType, agreement, createdAt]] of pairs.entries()) {
        await fixture.write(
          `INSERT INTO shadow_pairs (request_id, created_at, from_model, to_model, route, task_type, status,
             latency_ms, agreement) VALUES (?, ?, 'cloud', ?, ?, ?, 'ok', 10, ?)`,
          [`shadow-${index}`, at(createdAt), to, route, taskType, agreement],
        );
      }
      await fixture.write(
        `INSERT INTO rollouts (id, share, last_good_share, paused, updated_at, version)
         VALUES ('cloud-to-local', 0.3, 0.3, 1 = 0, ?, 3)`,
        [at(now - HOUR)],
      );
      const events: [number, number, number, string][] = [
        [now - 3 * DAY, 0, 0.1, 'config'],
        [now - 6 * HOUR, 0.1, 0.2, 'raise'],
        [now - 2 * HOUR, 0.2, 0.3, 'manual'],
      ];
      for (const [eventAt, fromShare, toShare, cause] of events) {
        await fixture.write(
          `INSERT INTO rollout_events (id, at, from_share, to_share, cause) VALUES ('cloud-to-local', ?, ?, ?, ?)`,
          [at(eventAt), fromShare, toShare, cause],
        );
      }
      const ratings: [string, string, number, number][] = [
        ['local', 'correct', 1, now - HOUR],
        ['local', 'correct', 0, now - 2 * HOUR],
        ['local', 'correct', 1, now - 3 * HOUR],
        ['cloud', 'correct', 1, now - HOUR],
        ['local', 'rating', 4, now - HOUR],
        ['local', 'correct', 0, now - 3 * DAY],
      ];
      for (const [index, [model, metric, value, createdAt]] of ratings.entries()) {
        await fixture.write(
          'INSERT INTO feedback (request_id, metric, value, created_at, model) VALUES (?, ?, ?, ?, ?)',
          [`feedback-${index}`, metric, value, at(createdAt), model],
        );
      }
      const evidence = await fixture.stats.evidence(now - DAY, now);
      const range = [at(now - DAY), at(now)];
      const shadowRows = await fixture.query(
        `SELECT to_model, route, task_type, count(*) AS pairs,
           sum(CASE WHEN agreement IS NULL THEN 0 ELSE 1 END) AS scored,
           sum(CASE WHEN agreement = 1 THEN 1 ELSE 0 END) AS agreed
         FROM shadow_pairs WHERE created_at >= ? AND created_at < ? GROUP BY to_model, route, task_type`,
        range,
      );
      assert.equal(evidence.shadow?.length, shadowRows.length);
      for (const row of shadowRows) {
        const group: ShadowAgreement | undefined = evidence.shadow?.find(
          (candidate) =>
            candidate.to === row.to_model &&
            candidate.route === (row.route ?? null) &&
            candidate.taskType === (row.task_type ?? null),
        );
        assert.ok(group, `a shadow group for ${JSON.stringify(row)}`);
        assert.deepEqual(
          [group.pairs, group.scored, group.agreed],
          [Number(row.pairs), Number(row.scored), Number(row.agreed)],
        );
      }
      const faq = evidence.shadow?.find((group) => group.taskType === 'faq');
      assert.deepEqual([faq?.pairs, faq?.scored, faq?.agreed], [3, 2, 1]);
      const changes = await fixture.query(
        `SELECT to_share, cause FROM rollout_events WHERE id = 'cloud-to-local' AND at >= ? AND at < ? ORDER BY at`,
        range,
      );
      assert.deepEqual(evidence.rollouts?.[0]?.id, 'cloud-to-local');
      assert.equal(evidence.rollouts?.[0]?.share, 0.3);
      assert.equal(evidence.rollouts?.[0]?.paused, false);
      assert.deepEqual(
        evidence.rollouts?.[0]?.changes.map((change) => [change.toShare, change.cause]),
        changes.map((row) => [Number(row.to_share), row.cause]),
      );
      assert.deepEqual(
        evidence.rollouts?.[0]?.changes.map((change) => change.cause),
        ['raise', 'manual'],
      );
      const feedbackRows = await fixture.query(
        `SELECT model, metric, count(*) AS ratings, sum(value) AS total FROM feedback
         WHERE created_at >= ? AND created_at < ? GROUP BY model, metric`,
        range,
      );
      assert.equal(evidence.feedback?.length, feedbackRows.length);
      for (const row of feedbackRows) {
        const group: ModelFeedback | undefined = evidence.feedback?.find(
          (candidate) => candidate.model === row.model && candidate.metric === row.metric,
        );
        assert.equal(group?.ratings, Number(row.ratings));
        closeTo(group?.mean ?? null, Number(row.total) / Number(row.ratings), `${row.model} ${row.metric}`);
      }
      const localCorrect = evidence.feedback?.find(
        (row) => row.model === 'local' && row.metric === 'correct',
      );
      closeTo(localCorrect?.mean ?? null, 2 / 3, 'local correct');
    });
  });
}
