import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FakeUpstream } from '../../test/support/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../test/support/start-test-gateway.js';
import { createTaskClassifier } from '../create-task-classifier.js';

describe('routing with the shipped classifiers', () => {
  let gateway: TestGateway;
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
          rules: [
            { name: 'code', when: { taskType: 'code' }, then: 'cloud' },
            { name: 'summaries', when: { taskType: 'summarization' }, then: 'cloud' },
            { name: 'unfamiliar', when: { inScope: false }, then: 'cloud' },
          ],
        },
        storage: { requestLog: 'off' },
      }),
      classifier: (config) => createTaskClassifier(config.routing),
    });
  });
  after(() => gateway.close());

  const route = async (content: string) => {
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { model: 'auto', messages: [{ role: 'user', content }] },
    });
    return {
      route: response.headers['x-switchyard-route'],
      reason: String(response.headers['x-switchyard-route-reason']),
    };
  };

  it('keeps an in-scope banking request on the default model', async () => {
    const { route: target } = await route('please transfer 200 dollars from checking to my savings account');
    assert.equal(target, 'local');
  });

  it('sends a coding task to the cloud by the trained task-type model', async () => {
    const decision = await route('Write a Python function that merges two sorted lists and add unit tests.');
    assert.deepEqual(decision, { route: 'cloud', reason: 'Routed to cloud by code: task type is code.' });
  });

  it('reads a long prompt by its instruction, not by its length', async () => {
    // A 2,900-character transcript: the model reads its first and last 500 characters, and long
    // prompts in its training set are no longer only maths and exam passages.
    const speakers = ['Anna', 'Ben', 'Chloe', 'Dev'];
    const lines = [
      'We should move the launch to March because the vendor is late.',
      'The budget for Q2 is still open, finance wants numbers by Friday.',
      'I can take the migration plan, but I need help with the data export.',
      'Customers keep asking about the new pricing page, support is overloaded.',
      'Let us agree to ship the beta to ten accounts first.',
    ];
    const transcript = Array.from(
      { length: 40 },
      (_, index) => `${speakers[index % 4]}: ${lines[index % 5]}`,
    );
    const decision = await route(
      `Summarize this meeting transcript in five bullet points:\n${transcript.join('\n')}`,
    );
    assert.deepEqual(decision, {
      route: 'cloud',
      reason: 'Routed to cloud by summaries: task type is summarization.',
    });
  });

  it('routes a pasted table by the instruction on its last line, not by the table', async () => {
    // Read whole, 60 rows of CSV outweigh the one line that asks for code.
    const rows = Array.from(
      { length: 60 },
      (_, index) =>
        `${['north', 'south', 'east'][index % 3]},2026-${String((index % 12) + 1).padStart(2, '0')},${1200 + index * 37}.50`,
    );
    const decision = await route(
      `region,month,revenue\n${rows.join('\n')}\n\nWrite a Python function that loads this CSV and plots revenue per region.`,
    );
    assert.deepEqual(decision, { route: 'cloud', reason: 'Routed to cloud by code: task type is code.' });
  });

  it('sends what the in-scope model has never seen to the cloud', async () => {
    // One of CLINC150's own out-of-scope examples (the shipped model trained on it).
    const cloud = gateway.upstreams.cloud as FakeUpstream;
    const before = cloud.requests.length;
    const decision = await route('how much is an overdraft fee for bank');
    assert.equal(decision.route, 'cloud');
    assert.match(decision.reason, /the request is out of scope/);
    assert.equal(cloud.requests.length, before + 1);
  });
});
