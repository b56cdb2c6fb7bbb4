import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream } from '../support/fake-upstream.js';
import { runCli, startCliServer } from '../support/start-cli-server.js';

describe('switchyard tenants and keys, beside a running gateway', () => {
  let directory: string;
  let config: string;
  let upstream: FakeUpstream;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'switchyard-tenants-cli-'));
    upstream = await FakeUpstream.start();
    config = join(directory, 'switchyard.yaml');
    writeFileSync(
      config,
      `models:
  cloud: { provider: openai-compatible, baseUrl: "${upstream.url}/v1", model: gpt-4o-mini }
routing: { default: cloud }
auth: { mode: keys }
storage: { sqlite: { path: "${join(directory, 'log.db')}" }, flushIntervalMs: 20 }
logging: { level: warn }
`,
    );
  });
  after(async () => {
    await upstream.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('creates, lists and revokes; the gateway takes the key and refuses it once revoked', async () => {
    const tenant = await runCli([
      'tenants',
      'create',
      'acme',
      '--budget-usd',
      '5',
      '--rpm',
      '60',
      '--config',
      config,
    ]);
    assert.equal(tenant.code, 0, tenant.stderr);
    assert.deepEqual(
      (({ name, budgetUsd, budgetPeriod, rpm }) => ({ name, budgetUsd, budgetPeriod, rpm }))(
        JSON.parse(tenant.stdout),
      ),
      { name: 'acme', budgetUsd: 5, budgetPeriod: 'month', rpm: 60 },
    );
    const created = await runCli([
      'keys',
      'create',
      '--tenant',
      'acme',
      '--expires',
      '30d',
      '--json',
      '--config',
      config,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { id: string; key: string; expiresAt: string };
    assert.match(key.key, /^sy-/);
    assert.ok(Date.parse(key.expiresAt) > Date.now() + 29 * 86_400_000);

    const gateway = await startCliServer(['--config', config]);
    try {
      const ask = (secret: string) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body: JSON.stringify({ model: 'cloud', messages: [{ role: 'user', content: 'Hi' }] }),
        });
      assert.equal((await ask(key.key)).status, 200);
      const listed = await runCli(['keys', 'list', '--json', '--config', config]);
      assert.deepEqual(
        (JSON.parse(listed.stdout) as { id: string }[]).map((entry) => entry.id),
        [key.id],
      );
      assert.equal(listed.stdout.includes(key.key), false);
      const revoked = await runCli(['keys', 'revoke', key.id, '--config', config]);
      assert.equal(revoked.code, 0, revoked.stderr);
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal((await ask(key.key)).status, 401);
    } finally {
      await gateway.stop();
    }
  });

  it('refuses bad input with a sentence and exit code 1, storing nothing', async () => {
    for (const [args, message] of [
      [['tenants', 'create', 'bad name'], /name: use 1-63 letters/],
      [['tenants', 'create', 'x', '--budget-usd', '-1'], /budgetUsd/],
      [['tenants', 'create', 'x', '--budget-usd', 'lots'], /--budget-usd must be a number/],
      [['tenants', 'create', 'x', '--models', 'gpt9'], /Unknown models: gpt9/],
      [['keys', 'create', '--tenant', 'nobody'], /No tenant 'nobody'/],
      [['keys', 'revoke', 'key_missing'], /No key 'key_missing'/],
    ] as const) {
      const result = await runCli([...args, '--config', config]);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'a sentence, not a stack');
    }
    const tenants = await runCli(['tenants', 'list', '--json', '--config', config]);
    assert.deepEqual(
      (JSON.parse(tenants.stdout) as { name: string }[]).map((tenant) => tenant.name),
      ['acme'],
    );
  });
});
