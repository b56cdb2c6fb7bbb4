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

  it('accepts the issue’s hybrid routing example as written', () => {
    const config = parseConfigText(
      `models:
  local: { provider: llama-cpp, model: ./x.gguf }
  cloud: { provider: openai-compatible, baseUrl: https://api.openai.com/v1, model: gpt-4o }
routing:
  default: local
  rules:
    - { when: { pii: true }, then: local }
    - { when: { inputTokens: { gt: 3000 } }, then: cloud }
    - { when: { taskType: [reasoning, code, creative] }, then: cloud }
    - { when: { complexity: { gt: 0.7 } }, then: cloud }
    - { when: { hasTools: true }, then: local }
  escalation: { from: local, to: cloud, minConfidence: 0.6, onInvalidJson: true, onInvalidToolCall: true, onEmpty: true, streaming: buffer }
  fallbacks: { cloud: [local], local: [cloud] }
  residency: { pii: local }
  baseline: cloud
`,
      'test.yaml',
    );
    assert.equal(config.routing.escalation?.minConfidence, 0.6);
    assert.equal(config.routing.escalation?.applyTo, 'routed');
    assert.deepEqual(config.routing.fallbacks, { cloud: ['local'], local: ['cloud'] });
    assert.equal(config.routing.retries.maxRetries, 1);
    assert.equal(config.storage.sqlite.path, './switchyard.db');
    assert.equal(config.storage.content, 'redacted');
  });

  it('checks escalation, fallback, residency and baseline references by path', () => {
    const issues = issuesOf(`models:
  local: { provider: llama-cpp, model: ./x.gguf }
  cloud: { provider: anthropic, model: claude-sonnet-4 }
routing:
  default: local
  escalation: { from: local, to: gpt5 }
  fallbacks: { cloud: [local, backup], nope: [local] }
  residency: { pii: cloud }
  baseline: gpt4
`);
    assert.deepEqual(issues, [
      'routing.escalation.to: unknown model "gpt5" (configured: "local", "cloud")',
      'routing.fallbacks.cloud[1]: unknown model "backup" (configured: "local", "cloud")',
      'routing.fallbacks.nope: unknown model "nope" (configured: "local", "cloud")',
      'routing.residency.pii: model "cloud" is not local (use a llama-cpp model, or an openai-compatible one with local: true)',
      'routing.baseline: unknown model "gpt4" (configured: "local", "cloud")',
    ]);
  });

  it('refuses a rollout controller that weighs an undeclared feedback metric', () => {
    const issues = issuesOf(`models:
  local: { provider: llama-cpp, model: ./x.gguf }
  cloud: { provider: anthropic, model: claude-sonnet-4 }
feedback: { metrics: { correct: { type: boolean } } }
routing:
  default: cloud
  shadow: [{ from: cloud, to: local, sample: 0.1 }]
  rollout:
    - from: cloud
      to: local
      share: 0.1
      auto:
        raiseIf: { feedback: { metric: correct, atLeast: 0.9 } }
        rollbackIf: { feedback: { metric: rating, below: 3 } }
`);
    assert.deepEqual(issues, [
      'routing.rollout[0].auto.rollbackIf.feedback.metric: "rating" is not a declared feedback metric (declared: "correct")',
    ]);
  });

  it('refuses a rollout controller without shadow traffic between its two models to judge', () => {
    const issues = issuesOf(`models:
  local: { provider: llama-cpp, model: ./x.gguf }
  cloud: { provider: anthropic, model: claude-sonnet-4 }
  other: { provider: anthropic, model: claude-haiku-4 }
routing:
  default: cloud
  shadow:
    - { from: cloud, to: other, sample: 0.5 }
    - { from: local, to: cloud, sample: 0 }
  rollout:
    - { from: cloud, to: local, share: 0.1, auto: { step: 0.1 } }
    - { id: by-hand, from: cloud, to: local, share: 0.1 }
    - { id: other, from: other, to: cloud, share: 0.1, auto: { step: 0.1 } }
`);
    assert.deepEqual(issues, [
      'routing.rollout[0].auto: the controller judges shadow agreement between "cloud" and "local", but no routing.shadow entry samples one against the other',
    ]);
  });

  it('takes a price per million tokens or an hourly cost, not half of one or both', () => {
    const issues = issuesOf(`models:
  a: { provider: llama-cpp, model: ./x.gguf, price: { hourly: 1.2, inputPerMillion: 1 } }
  b: { provider: llama-cpp, model: ./x.gguf, price: { inputPerMillion: 1 } }
  c: { provider: llama-cpp, model: ./x.gguf, price: { hourly: 0.8 } }
routing: { default: a }
`);
    assert.deepEqual(issues, [
      'models.a.price: give either hourly or per-million rates, not both',
      'models.b.price: give inputPerMillion and outputPerMillion (or hourly for a self-hosted model)',
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
    assert.equal(plain.config.routing.escalation, undefined);
    assert.deepEqual(withKey.config.routing.residency, { pii: 'local' });
    assert.equal(withKey.config.routing.escalation?.to, 'cloud');
    assert.equal(withKey.config.routing.baseline, 'cloud');
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
