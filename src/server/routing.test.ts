import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FakeUpstream } from '../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';

describe('routing through the live server', () => {
  let gateway: TestGateway;
  let local: FakeUpstream;
  let cloud: FakeUpstream;
  let app: TestGateway['app'];

  before(async () => {
    gateway = await startTestGateway({
      upstreams: ['local', 'cloud'],
      config: (urls) => ({
        models: {
          local: { provider: 'openai-compatible', baseUrl: urls.local as string, model: 'qwen', local: true },
          cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o' },
        },
        routing: {
          default: 'local',
          aliases: { 'gpt-4o': 'auto' },
          rules: [
            { when: { pii: true }, then: 'local' },
            { name: 'hard-tasks', when: { taskType: ['code', 'reasoning'] }, then: 'cloud' },
            { when: { metadata: { team: 'équipe' } }, then: 'cloud' },
          ],
        },
      }),
    });
    app = gateway.app;
    local = gateway.upstreams.local as FakeUpstream;
    cloud = gateway.upstreams.cloud as FakeUpstream;
  });
  after(() => gateway.close());

  const ask = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/chat/completions', headers, payload: body });

  it('routes an alias of auto by rule and says why in headers', async () => {
    const response = await ask({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Explain why the sky is blue' }],
    });
    assert.equal(response.headers['x-switchyard-route'], 'cloud');
    assert.equal(
      response.headers['x-switchyard-route-reason'],
      'Routed to cloud by hard-tasks: task type is reasoning.',
    );
    assert.equal(cloud.requests.length, 1);
  });

  it('keeps a request carrying a valid IBAN on the local model, even for a hard task', async () => {
    const before = cloud.requests.length;
    const response = await ask({
      model: 'auto',
      messages: [
        { role: 'user', content: 'Explain why my transfer from DE89 3704 0044 0532 0130 00 failed' },
      ],
    });
    assert.equal(response.headers['x-switchyard-route'], 'local');
    assert.equal(
      response.headers['x-switchyard-route-reason'],
      'Routed to local by rule 0: PII found (iban).',
    );
    assert.equal(cloud.requests.length, before);
  });

  it('serves unmatched requests on the default model', async () => {
    const localBefore = local.requests.length;
    const response = await ask({
      model: 'auto',
      messages: [{ role: 'user', content: 'What are your opening hours?' }],
    });
    assert.equal(response.headers['x-switchyard-route'], 'local');
    assert.match(String(response.headers['x-switchyard-route-reason']), /^No rule matched/);
    assert.equal(local.requests.length, localBefore + 1);
  });

  it('lets metadata.route or the x-switchyard-route header force a target', async () => {
    const byMetadata = await ask({
      model: 'auto',
      metadata: { route: 'cloud' },
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(byMetadata.headers['x-switchyard-route'], 'cloud');
    assert.equal(
      byMetadata.headers['x-switchyard-route-reason'],
      "The request forced route 'cloud' (metadata.route).",
    );
    const byHeader = await ask(
      { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-switchyard-route': 'cloud' },
    );
    assert.equal(byHeader.headers['x-switchyard-route'], 'cloud');
    assert.equal(
      byHeader.headers['x-switchyard-route-reason'],
      "The request forced route 'cloud' (x-switchyard-route header).",
    );
    const unknown = await ask(
      { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-switchyard-route': 'gpt9' },
    );
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'model_not_found');
  });

  it('keeps non-ASCII metadata out of the reason header instead of failing', async () => {
    const response = await ask({
      model: 'auto',
      metadata: { team: 'équipe' },
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(response.statusCode, 200);
    assert.equal(
      response.headers['x-switchyard-route-reason'],
      'Routed to cloud by rule 2: metadata team is ?quipe.',
    );
  });
});
