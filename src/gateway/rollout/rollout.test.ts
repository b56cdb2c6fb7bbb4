import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  createOpenAIAnswer,
  type FakeReply,
  type FakeUpstream,
} from '../../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../../test/support/start-test-gateway.js';
import { placeOnRollout } from '../../routing/index.js';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-rollout-'));
after(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
async function startRolloutGateway(
  routing: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<TestGateway> {
  files += 1;
  return startTestGateway({
    upstreams: ['cloud', 'local'],
    listen: true,
    requestLogPath: join(directory, `rollout-${files}.db`),
    config: (urls) => ({
      models: {
        cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
        local: { provider: 'openai-compatible', baseUrl: urls.local as string, model: 'qwen', local: true },
      },
      routing: { default: 'cloud', retries: { maxRetries: 0 }, ...routing },
      storage: { flushIntervalMs: 10 },
      ...extra,
    }),
  });
}

async function ask(gateway: TestGateway, user: string): Promise<Headers> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'auto',
      user,
      messages: [{ role: 'user', content: 'What are your opening hours?' }],
    }),
  });
  await response.text();
  assert.equal(response.status, 200);
  return response.headers;
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 8_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The rollout changes the gateway logged after its configured start, oldest first. */
function readRolloutChanges(gateway: TestGateway): { cause: string; to_share: number; evidence: string }[] {
  const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
  try {
    return database
      .prepare("SELECT cause, to_share, evidence FROM rollout_events WHERE cause <> 'config' ORDER BY rowid")
      .all() as { cause: string; to_share: number; evidence: string }[];
  } finally {
    database.close();
  }
}

describe('gradual rollout', () => {
  it('moves the configured share of users, each always to the same model, and only one way as it grows', async () => {
    const gateway = await startRolloutGateway({
      rollout: [{ from: 'cloud', to: 'local', share: 0.3, sticky: 'user' }],
    });
    try {
      await waitFor(() => gateway.rollouts?.read('cloud-to-local') !== undefined, 'the rollout to load');
      const served = new Map<string, string>();
      for (let index = 0; index < 400; index += 1) {
        const headers = await ask(gateway, `user-${index}`);
        served.set(`user-${index}`, headers.get('x-switchyard-model') as string);
        if (headers.get('x-switchyard-model') === 'local') {
          assert.equal(
            headers.get('x-switchyard-route-reason'),
            'Rolled out to local instead of cloud: rollout cloud-to-local holds 30% of its requests.',
          );
        }
      }
      const local = [...served.values()].filter((model) => model === 'local').length;
      // Binomial(400, 0.3): mean 120, standard deviation 9.2; these bounds are 4 deviations out.
      assert.ok(local >= 83 && local <= 157, `${local} of 400 users moved`);
      for (let index = 0; index < 50; index += 1) {
        assert.equal(
          (await ask(gateway, `user-${index}`)).get('x-switchyard-model'),
          served.get(`user-${index}`),
        );
      }
      await gateway.rollouts?.set('cloud-to-local', 0.6);
      let grown = 0;
      for (let index = 0; index < 400; index += 1) {
        const model = (await ask(gateway, `user-${index}`)).get('x-switchyard-model');
        if (served.get(`user-${index}`) === 'local') assert.equal(model, 'local', `user-${index} moved back`);
        if (model === 'local') grown += 1;
      }
      assert.ok(grown > local + 60, `${grown} of 400 after raising to 60%`);
      await gateway.requestLog?.flush();
      const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
      const rules = database.prepare("SELECT DISTINCT rule FROM requests WHERE final_model = 'local'").all();
      const events = database.prepare('SELECT cause, to_share FROM rollout_events ORDER BY rowid').all();
      database.close();
      assert.deepEqual(rules, [{ rule: 'rollout:cloud-to-local' }]);
      assert.deepEqual(events, [
        { cause: 'config', to_share: 0.3 },
        { cause: 'manual', to_share: 0.6 },
      ]);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      assert.match(
        metrics,
        /^switchyard_rollout_share\{rollout="cloud-to-local",from="cloud",to="local"\} 0\.6$/m,
      );
    } finally {
      await gateway.close();
    }
  });

  it('raises the share while shadow agreement holds, and rolls back to the last good share when it falls', async () => {
    const gateway = await startRolloutGateway({
      shadow: [{ from: 'cloud', to: 'local', sample: 1, maxConcurrent: 50 }],
      rollout: [
        {
          from: 'cloud',
          to: 'local',
          share: 0.1,
          auto: {
            step: 0.2,
            every: '1s',
            minSamples: 5,
            raiseIf: { agreement: 0.9, maxEscalationRate: 0.1 },
            rollbackIf: { agreement: 0.8 },
          },
        },
      ],
    });
    const cloud = gateway.upstreams.cloud as FakeUpstream;
    const local = gateway.upstreams.local as FakeUpstream;
    const answer = (content: string) => (): FakeReply => createOpenAIAnswer({ content });
    try {
      const share = () => gateway.rollouts?.read('cloud-to-local')?.share;
      await waitFor(() => share() === 0.1, 'the rollout to load');
      // The local model agrees with the cloud until told otherwise.
      let localAnswer = 'we open at nine';
      for (let index = 0; index < 300; index += 1) {
        cloud.replyWith(answer('We open at nine.'));
        local.replyWith(() => createOpenAIAnswer({ content: localAnswer }));
      }
      for (let index = 0; index < 12; index += 1) await ask(gateway, `early-${index}`);
      await waitFor(() => share() === 0.3, 'a raise on agreeing answers');
      localAnswer = 'Closed on Sundays.';
      for (let index = 0; index < 12; index += 1) await ask(gateway, `late-${index}`);
      await waitFor(() => share() === 0.1, 'a rollback on disagreeing answers');
      await gateway.requestLog?.flush();
      const database = new Database(gateway.config.storage.sqlite.path, { readonly: true });
      const events = database
        .prepare('SELECT cause, from_share, to_share, evidence FROM rollout_events ORDER BY rowid')
        .all() as {
        cause: string;
        from_share: number;
        to_share: number;
        evidence: string | null;
      }[];
      database.close();
      assert.deepEqual(
        events.map((event) => [event.cause, event.from_share, event.to_share]),
        [
          ['config', 0, 0.1],
          ['raise', 0.1, 0.3],
          ['rollback', 0.3, 0.1],
        ],
      );
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      for (const cause of ['raise', 'rollback'])
        assert.match(
          metrics,
          new RegExp(
            `^switchyard_rollout_changes_total\\{rollout="cloud-to-local",cause="${cause}"\\} 1$`,
            'm',
          ),
        );
      const raise = JSON.parse(events[1]?.evidence as string);
      const rollback = JSON.parse(events[2]?.evidence as string);
      assert.equal(raise.agreement, 1);
      assert.ok(raise.shadowPairs >= 5);
      assert.ok(rollback.agreement < 0.8, JSON.stringify(rollback));
    } finally {
      await gateway.close();
    }
  });
});

describe('gradual rollout weighing feedback', () => {
  it('raises only once feedback on the small model holds, and rolls back when it falls', async () => {
    const gateway = await startRolloutGateway(
      {
        shadow: [{ from: 'cloud', to: 'local', sample: 1, maxConcurrent: 50 }],
        rollout: [
          {
            from: 'cloud',
            to: 'local',
            share: 0.3,
            auto: {
              step: 0.2,
              every: '1s',
              minSamples: 5,
              raiseIf: { agreement: 0.9, feedback: { metric: 'correct', atLeast: 0.8, minCount: 3 } },
              rollbackIf: { agreement: 0.5, feedback: { metric: 'correct', below: 0.5, minCount: 3 } },
            },
          },
        ],
      },
      { feedback: { metrics: { correct: { type: 'boolean' } } } },
    );
    const cloud = gateway.upstreams.cloud as FakeUpstream;
    const local = gateway.upstreams.local as FakeUpstream;
    for (let index = 0; index < 400; index += 1) {
      cloud.replyWith(() => createOpenAIAnswer({ content: 'We open at nine.' }));
      local.replyWith(() => createOpenAIAnswer({ content: 'We open at nine.' }));
    }
    const share = () => gateway.rollouts?.read('cloud-to-local')?.share;
    /** Sends requests from new users; returns the ids of those the small model answered. */
    const sendUntilLocal = async (prefix: string, wanted: number): Promise<string[]> => {
      const ids: string[] = [];
      for (let index = 0; ids.length < wanted && index < 200; index += 1) {
        const headers = await ask(gateway, `${prefix}-${index}`);
        if (headers.get('x-switchyard-model') === 'local') ids.push(headers.get('x-request-id') as string);
      }
      await gateway.requestLog?.flush();
      return ids;
    };
    const rate = async (ids: string[], value: boolean) => {
      for (const id of ids) {
        const response = await fetch(`${gateway.url}/v1/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ request_id: id, metric: 'correct', value }),
        });
        assert.equal(response.status, 200, await response.text());
      }
    };
    try {
      await waitFor(() => share() === 0.3, 'the rollout to load');
      const first = await sendUntilLocal('first', 3);
      // Shadow agreement alone would raise now; without the feedback the controller holds.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      assert.equal(share(), 0.3);
      await rate(first, true);
      await waitFor(() => share() === 0.5, 'a raise once feedback holds');
      const second = await sendUntilLocal('second', 3);
      await rate(second, false);
      await waitFor(() => share() === 0.3, 'a rollback when feedback falls');
      const events = readRolloutChanges(gateway);
      assert.deepEqual(
        events.map((event) => [event.cause, event.to_share]),
        [
          ['raise', 0.5],
          ['rollback', 0.3],
        ],
      );
      assert.deepEqual(JSON.parse(events[0]?.evidence as string).feedback, {
        metric: 'correct',
        count: 3,
        mean: 1,
      });
      assert.deepEqual(JSON.parse(events[1]?.evidence as string).feedback, {
        metric: 'correct',
        count: 3,
        mean: 0,
      });
    } finally {
      await gateway.close();
    }
  });
});

describe('gradual rollout weighing escalations', () => {
  it('rolls back when too many moved requests escalate, while shadow agreement holds', async () => {
    const gateway = await startRolloutGateway({
      escalation: { from: 'local', to: 'cloud' },
      shadow: [{ from: 'cloud', to: 'local', sample: 1, maxConcurrent: 50 }],
      rollout: [
        {
          from: 'cloud',
          to: 'local',
          share: 0.3,
          auto: {
            step: 0.2,
            every: '1s',
            minSamples: 5,
            raiseIf: { agreement: 0.9, maxEscalationRate: 0.1 },
            // Agreement alone never rolls back here: only the escalation rate can.
            rollbackIf: { agreement: 0, maxEscalationRate: 0.3 },
          },
        },
      ],
    });
    const cloud = gateway.upstreams.cloud as FakeUpstream;
    const local = gateway.upstreams.local as FakeUpstream;
    const place = (user: string) => placeOnRollout('cloud-to-local', user);
    // Users moved at 50%, and users never moved below 70%, whose requests the local model sees only
    // as shadow calls: it answers the moved ones with nothing (an escalation), the others well.
    const users = (prefix: string, test: (place: number) => boolean, count: number) =>
      Array.from({ length: 400 }, (_, index) => `${prefix}-${index}`)
        .filter((user) => test(place(user)))
        .slice(0, count);
    const failing = new Set(users('moved', (at) => at >= 0.3 && at < 0.5, 8));
    const steady = users('steady', (at) => at >= 0.7, 8);
    for (let index = 0; index < 400; index += 1) {
      cloud.replyWith(() => createOpenAIAnswer({ content: 'We open at nine.' }));
      local.replyWith((body) =>
        createOpenAIAnswer({ content: failing.has(body.user as string) ? '' : 'we open at nine' }),
      );
    }
    const share = () => gateway.rollouts?.read('cloud-to-local')?.share;
    try {
      await waitFor(() => share() === 0.3, 'the rollout to load');
      for (const user of users('early', (at) => at >= 0.5, 6)) await ask(gateway, user);
      await waitFor(() => share() === 0.5, 'a raise on agreeing answers');
      for (const user of failing) {
        const headers = await ask(gateway, user);
        assert.equal(headers.get('x-switchyard-model'), 'cloud', 'its empty answer escalated');
      }
      for (const user of steady) await ask(gateway, user);
      await waitFor(() => share() === 0.3, 'a rollback on escalations');
      const events = readRolloutChanges(gateway);
      assert.deepEqual(
        events.map((event) => [event.cause, event.to_share]),
        [
          ['raise', 0.5],
          ['rollback', 0.3],
        ],
      );
      const evidence = JSON.parse(events[1]?.evidence as string);
      assert.equal(evidence.escalationRate, 1);
      assert.ok(evidence.movedRequests >= 5, JSON.stringify(evidence));
    } finally {
      await gateway.close();
    }
  });
});
