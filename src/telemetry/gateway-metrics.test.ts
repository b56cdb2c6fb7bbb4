import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { createDecision, createOutcome } from '../../test/support/create-outcome.js';
import type { Attempt } from '../contract/index.js';
import { GatewayMetrics, type GaugeSources } from './gateway-metrics.js';

const sources: GaugeSources = {
  circuitStates: () => [{ model: 'cloud', state: 'open' }],
  queueDepths: () => [{ model: 'local', running: 2, waiting: 3 }],
  requestLogPendingRows: () => 4,
  requestLogFailedRows: () => 5,
};

function createMetrics(): GatewayMetrics {
  return new GatewayMetrics(sources, { processMetrics: false });
}

async function scrape(metrics: GatewayMetrics): Promise<string> {
  return (await metrics.render()).body;
}

const usage = {
  inputTokens: 100,
  outputTokens: 20,
  cachedInputTokens: 10,
  cacheWriteInputTokens: 0,
  reasoningTokens: 5,
  source: 'upstream',
} as const;

const fallbackRequest = createOutcome('r1', {
  decision: createDecision('local'),
  reason: { kind: 'fallback', from: 'local', to: 'cloud', cause: 'upstream_error' },
  servedModel: 'cloud',
  attempts: [
    {
      model: 'local',
      role: 'primary',
      status: 'error',
      errorCode: 'upstream_error',
      latencyMs: 12,
      costUsd: 0,
    },
    { model: 'cloud', role: 'fallback', status: 'ok', latencyMs: 250, ttftMs: 40, usage, costUsd: 0.0001 },
    {
      model: 'big',
      role: 'escalation',
      status: 'error',
      errorCode: 'upstream_error',
      latencyMs: 5,
      costUsd: 0,
    },
  ] satisfies Attempt[],
  escalation: { from: 'cloud', to: 'big', why: 'low_confidence', detail: 'd', escalated: false },
  usage,
  costUsd: 0.0001,
  baselineCostUsd: 0.007,
  timings: { latencyMs: 300, ttftMs: 50, upstreamMs: 262, backoffMs: 0, overheadMs: 0.3 },
});

describe('GatewayMetrics', () => {
  it('exports every series with its type, and the unlabelled ones at 0 before any request', async () => {
    const text = await scrape(createMetrics());
    const types = Object.fromEntries(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]]),
    );
    assert.deepEqual(types, {
      switchyard_requests_total: 'counter',
      switchyard_request_duration_seconds: 'histogram',
      switchyard_upstream_duration_seconds: 'histogram',
      switchyard_gateway_overhead_seconds: 'histogram',
      switchyard_time_to_first_token_seconds: 'histogram',
      switchyard_attempts_total: 'counter',
      switchyard_tokens_total: 'counter',
      switchyard_cost_usd_total: 'counter',
      switchyard_baseline_cost_usd_total: 'counter',
      switchyard_unpriced_attempts_total: 'counter',
      switchyard_state_store_errors_total: 'counter',
      switchyard_shadow_pairs_total: 'counter',
      switchyard_shadow_dropped_total: 'counter',
      switchyard_rollout_share: 'gauge',
      switchyard_rollout_changes_total: 'counter',
      switchyard_escalations_total: 'counter',
      switchyard_fallbacks_total: 'counter',
      switchyard_feedback_value: 'summary',
      switchyard_request_log_failed_rows_total: 'counter',
      switchyard_circuit_state: 'gauge',
      switchyard_queue_depth: 'gauge',
      switchyard_request_log_pending_rows: 'gauge',
    });
    assert.match(text, /^switchyard_baseline_cost_usd_total 0$/m);
    assert.match(text, /^switchyard_gateway_overhead_seconds_bucket\{le="0.0001"\} 0$/m);
    assert.match(text, /^switchyard_gateway_overhead_seconds_count 0$/m);
    // Labelled series appear only once a request gives them label values.
    assert.doesNotMatch(text, /^switchyard_requests_total\{/m);
  });

  it('reads the scrape-time gauges from their sources', async () => {
    const text = await scrape(createMetrics());
    assert.match(text, /^switchyard_circuit_state\{model="cloud"\} 2$/m);
    assert.match(text, /^switchyard_queue_depth\{model="local",state="running"\} 2$/m);
    assert.match(text, /^switchyard_queue_depth\{model="local",state="waiting"\} 3$/m);
    assert.match(text, /^switchyard_request_log_pending_rows 4$/m);
    assert.match(text, /^switchyard_request_log_failed_rows_total 5$/m);
  });

  it('counts a request served by a fallback: requests, attempts, tokens, cost, fallback and escalation', async () => {
    const metrics = createMetrics();
    metrics.observe(fallbackRequest);
    const text = await scrape(metrics);
    for (const line of [
      'switchyard_requests_total{route="local",model="cloud",reason="fallback",status="200"} 1',
      'switchyard_attempts_total{model="local",role="primary",status="error"} 1',
      'switchyard_attempts_total{model="cloud",role="fallback",status="ok"} 1',
      'switchyard_upstream_duration_seconds_count{model="cloud",status="ok"} 1',
      'switchyard_time_to_first_token_seconds_bucket{le="0.05",model="cloud"} 1',
      'switchyard_tokens_total{model="cloud",kind="input"} 100',
      'switchyard_tokens_total{model="cloud",kind="cached_input"} 10',
      'switchyard_tokens_total{model="cloud",kind="reasoning"} 5',
      'switchyard_cost_usd_total{model="cloud"} 0.0001',
      'switchyard_baseline_cost_usd_total 0.007',
      'switchyard_fallbacks_total{from="local",to="cloud",reason="upstream_error"} 1',
      'switchyard_escalations_total{from="cloud",to="big",reason="low_confidence"} 1',
      'switchyard_gateway_overhead_seconds_bucket{le="0.00025"} 0',
      'switchyard_gateway_overhead_seconds_bucket{le="0.0005"} 1',
      'switchyard_request_duration_seconds_bucket{le="0.25",route="local"} 0',
      'switchyard_request_duration_seconds_bucket{le="0.5",route="local"} 1',
    ]) {
      assert.ok(text.split('\n').includes(line), `missing: ${line}`);
    }
    // A zero count is not a series of its own.
    assert.doesNotMatch(text, /kind="cache_write_input"/);
  });

  it('counts an attempt without a price as unpriced, and a negative overhead as zero', async () => {
    const metrics = createMetrics();
    metrics.observe(
      createOutcome('r2', {
        attempts: [{ model: 'mystery', role: 'primary', status: 'ok', latencyMs: 9, costUsd: null }],
        costUsd: null,
        baselineCostUsd: null,
        timings: { latencyMs: 10, ttftMs: 10, upstreamMs: 11, backoffMs: 0, overheadMs: -1 },
      }),
    );
    const text = await scrape(metrics);
    assert.match(text, /^switchyard_unpriced_attempts_total\{model="mystery"\} 1$/m);
    assert.match(text, /^switchyard_gateway_overhead_seconds_bucket\{le="0.0001"\} 1$/m);
    assert.match(text, /^switchyard_gateway_overhead_seconds_sum 0$/m);
  });

  it('keeps each gateway’s series on its own registry, off prom-client’s global one', async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.observe(fallbackRequest);
    assert.match(await scrape(first), /^switchyard_requests_total\{[^}]*\} 1$/m);
    assert.doesNotMatch(await scrape(second), /^switchyard_requests_total\{/m);
    assert.equal(globalRegistry.getSingleMetric('switchyard_requests_total'), undefined);
    assert.equal((await first.render()).contentType, first.registry.contentType);
  });
});
