import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { DEFAULT_SLM_MODEL, DEFAULT_SLM_SHA256 } from './default-config.js';
import { loadConfig, parseConfigText } from './load-config.js';

function issuesOf(text: string): string[] {
  try {
    parseConfigText(text, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('config loading', () => {
  it('accepts the documented example and fills defaults', () => {
    const config = parseConfigText(
      `models:
  local: { provider: llama-cpp, model: ./models/x.gguf, contextSize: 4096, threads: 1 }
  cloud:
    provider: openai-compatible
    baseUrl: https://api.openai.com/v1
    model: gpt-4o-mini
    apiKeyEnv: OPENAI_API_KEY
    price: { inputPerMillion: 0.15, outputPerMillion: 0.6 }
routing:
  default: local
  aliases: { gpt-4o: auto, gpt-4o-mini: local }
server: { bodyLimitBytes: 4194304 }
`,
      'test.yaml',
    );
    assert.equal(config.server.port, 8080);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.models.local?.provider === 'llama-cpp' && config.models.local.parallel, 1);
    assert.equal(
      config.models.cloud?.provider === 'openai-compatible' && config.models.cloud.timeouts.connectMs,
      5000,
    );
  });

  it('names the path of every schema error, unknown keys included', () => {
    const issues = issuesOf(`models:
  local: { provider: llama-cpp, model: x.gguf, contextSize: big, colour: red }
  cloud: { provider: openia, model: y }
routing: { default: local }
server: { port: 99999 }
`);
    assert.deepEqual(issues, [
      'models.local.contextSize: invalid input: expected number, received string',
      'models.local.colour: unknown key',
      'models.cloud.provider: expected provider to be one of: llama-cpp, openai-compatible, anthropic',
      'server.port: too big: expected number to be <=65535',
    ]);
  });

  it('reports dangling references by path', () => {
    const issues = issuesOf(`models:
  local: { provider: llama-cpp, model: x.gguf }
routing: { default: gpt5, aliases: { gpt-4o: nope, local: auto } }
`);
    assert.deepEqual(issues, [
      'routing.default: unknown model "gpt5" (configured: "local")',
      'routing.aliases.gpt-4o: unknown model "nope" (use "auto" or one of: "local")',
      'routing.aliases.local: alias "local" hides a model name',
    ]);
  });

  it('reports YAML syntax errors with line and column', () => {
    const [issue] = issuesOf('models: [ {');
    assert.match(issue ?? '', /^line 1, column \d+: /);
  });

  it('serves the pinned embedded model by default, and OpenAI too when OPENAI_API_KEY is set', async () => {
    const plain = await loadConfig({ env: {} });
    assert.equal(plain.source, 'built-in default');
    assert.deepEqual(Object.keys(plain.config.models), ['local']);
    const local = plain.config.models.local;
    assert.equal(local?.provider === 'llama-cpp' && local.model, DEFAULT_SLM_MODEL);
    assert.equal(local?.provider === 'llama-cpp' && local.sha256, DEFAULT_SLM_SHA256);
    const withKey = await loadConfig({ env: { OPENAI_API_KEY: 'sk' } });
    assert.deepEqual(Object.keys(withKey.config.models), ['local', 'cloud']);
  });

  it('lets SWITCHYARD_SLM_MODEL replace the default GGUF (and drops the pinned hash)', async () => {
    const { config } = await loadConfig({ env: { SWITCHYARD_SLM_MODEL: '/models/mine.gguf' } });
    const local = config.models.local;
    assert.equal(local?.provider === 'llama-cpp' && local.model, '/models/mine.gguf');
    assert.equal(local?.provider === 'llama-cpp' && local.sha256, undefined);
  });

  it('reads SWITCHYARD_CONFIG and says so when the file is missing', async () => {
    await assert.rejects(
      loadConfig({ env: { SWITCHYARD_CONFIG: '/nonexistent/switchyard.yaml' } }),
      /file not found/,
    );
  });
});
