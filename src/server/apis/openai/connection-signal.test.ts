import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FakeUpstream } from '../../../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../../../test/support/start-test-gateway.js';

/** POSTs over `agent` and reads the whole answer. */
function post(gateway: TestGateway, agent: Agent, body: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${gateway.url}/v1/chat/completions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

describe('the cancel signal a keep-alive connection shares among its requests', () => {
  let gateway: TestGateway;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  before(async () => {
    gateway = await startTestGateway({
      upstreams: ['cloud', 'backup'],
      listen: true,
      config: (urls) => ({
        models: {
          cloud: { provider: 'openai-compatible', baseUrl: urls.cloud as string, model: 'gpt-4o-mini' },
          backup: { provider: 'openai-compatible', baseUrl: urls.backup as string, model: 'gpt-4o' },
        },
        routing: {
          default: 'cloud',
          fallbacks: { cloud: ['backup'] },
          retries: { maxRetries: 1, initialBackoffMs: 1, maxBackoffMs: 2 },
        },
        storage: { requestLog: 'off' },
      }),
    });
    process.on('warning', onWarning);
  });
  after(async () => {
    process.off('warning', onWarning);
    await gateway.close();
  });

  it('is left without listeners by every request, however it ended', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const cloud = gateway.upstreams.cloud as FakeUpstream;
    const messages = [{ role: 'user', content: 'Hello' }];
    for (let round = 0; round < 8; round += 1) {
      assert.equal(await post(gateway, agent, { model: 'auto', messages }), 200);
      assert.equal(await post(gateway, agent, { model: 'auto', stream: true, messages }), 200);
      // A retry with backoff, then a fallback.
      cloud.replyWith({ status: 503, json: {} }, { status: 503, json: {} });
      assert.equal(await post(gateway, agent, { model: 'auto', messages }), 200);
      // A stream the upstream cuts.
      cloud.replyWith({
        sse: ['{"choices":[{"index":0,"delta":{"content":"cut"}}]}'],
        destroyAfterSse: true,
      });
      assert.equal(await post(gateway, agent, { model: 'auto', stream: true, messages }), 200);
      assert.equal(await post(gateway, agent, { model: 'nope', messages }), 404);
    }
    agent.destroy();
    // One connection carried all 40 requests: a listener left behind by each would pass
    // EventTarget's limit of 10 and warn.
    assert.deepEqual(
      warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((w) => w.message),
      [],
    );
  });
});
