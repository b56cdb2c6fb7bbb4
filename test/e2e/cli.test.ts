import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { findFreePort, runCli } from '../support/start-cli-server.js';

describe('switchyard CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help for each command', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['config', 'check', '--help']]) {
      const { code, stdout } = await runCli(args);
      assert.equal(code, 0);
      assert.match(stdout, /Usage: switchyard/);
    }
    assert.match((await runCli(['serve', '--help'])).stdout, /SWITCHYARD_PORT/);
  });

  it('config check prints the effective config with secrets masked', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(
      file,
      `models:
  cloud:
    provider: openai-compatible
    baseUrl: https://user:pw@api.example.com/v1
    model: gpt-4o-mini
    apiKeyEnv: CHECK_KEY
    headers: { x-org-token: very-secret }
routing: { default: cloud }
`,
    );
    const { code, stdout } = await runCli(['config', 'check', file], { CHECK_KEY: 'sk-hidden' });
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /very-secret|sk-hidden|pw@/);
    const printed = parse(stdout) as { models: { cloud: Record<string, unknown> }; server: { port: number } };
    assert.equal(printed.models.cloud.apiKeyEnv, 'CHECK_KEY (set)');
    assert.deepEqual(printed.models.cloud.headers, { 'x-org-token': '***' });
    assert.equal(printed.server.port, 8080);
  });

  it('config check exits non-zero and names the path of every error', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'models:\n  local: { provider: llama-cpp, model: x.gguf, threads: -1 }\nrouting: { default: nope }\nextra: 1\n',
    );
    const { code, stderr } = await runCli(['config', 'check', file]);
    assert.equal(code, 1);
    assert.match(stderr, /models\.local\.threads: too small/);
    assert.match(stderr, /extra: unknown key/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  it('serve stops with one clear sentence when the default model cannot be downloaded', async () => {
    const { code, stderr } = await runCli(['serve', '--port', '0'], {
      SWITCHYARD_CONFIG: '',
      SWITCHYARD_SLM_MODEL: '',
      SWITCHYARD_CACHE_DIR: join(dir, 'cache'),
      // A closed local port: the download fails at once, and nothing leaves the machine.
      HF_ENDPOINT: `http://127.0.0.1:${await findFreePort()}/`,
      MODEL_ENDPOINT: '',
    });
    assert.equal(code, 1);
    assert.match(stderr, /Could not download model 'local'/);
    assert.match(stderr, /SWITCHYARD_SLM_MODEL=\/path\/to\/model\.gguf/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });
});
