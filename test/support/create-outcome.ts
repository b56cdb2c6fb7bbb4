import type { RequestOutcome, RouteDecision, Usage } from '../../src/contract/index.js';

export const SAMPLE_USAGE: Usage = {
  inputTokens: 400,
  outputTokens: 600,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  reasoningTokens: 0,
  source: 'upstream',
};

/** A routing decision for `target` by the default rule, for outcomes built in tests. */
export function createDecision(target: string, overrides: Partial<RouteDecision> = {}): RouteDecision {
  return {
    requested: 'auto',
    target,
    reason: { kind: 'default', target },
    rule: 'default',
    forced: false,
    candidates: [target],
    piiKinds: [],
    piiScanned: true,
    localOnly: false,
    ...overrides,
  };
}

/** A complete, plausible outcome of an escalated request: local answered, cloud replaced it. */
export function createOutcome(id: string, overrides: Partial<RequestOutcome> = {}): RequestOutcome {
  return {
    id,
    api: 'openai',
    startedAt: Date.UTC(2026, 10, 24, 12, 0, 0),
    tenant: 'acme',
    keyId: null,
    user: 'user-1',
    requestedModel: 'auto',
    stream: false,
    decision: createDecision('local', {
      features: {
        inputTokens: 400,
        taskType: 'faq',
        taskTypeProbability: 0.9,
        complexity: 0.2,
        piiKinds: [],
        hasTools: false,
        responseFormat: 'text',
        requestedModel: 'auto',
        metadata: {},
      },
    }),
    reason: {
      kind: 'escalated',
      from: 'local',
      to: 'cloud',
      why: 'low_confidence',
      detail: 'low confidence',
    },
    reasonText: 'Escalated from local to cloud: low confidence.',
    escalation: {
      from: 'local',
      to: 'cloud',
      why: 'low_confidence',
      detail: 'low confidence',
      escalated: true,
    },
    attempts: [
      { model: 'local', role: 'primary', status: 'ok', latencyMs: 20, costUsd: 0 },
      {
        model: 'cloud',
        role: 'escalation',
        status: 'ok',
        latencyMs: 20,
        ttftMs: 5,
        costUsd: 0.014,
        modelId: 'gpt-4o-2024-08-06',
        usage: SAMPLE_USAGE,
      },
    ],
    servedModel: 'cloud',
    status: 200,
    error: null,
    usage: SAMPLE_USAGE,
    costUsd: 0.014,
    baselineCostUsd: 0.014,
    timings: { latencyMs: 40.25, ttftMs: 12.5, upstreamMs: 40, backoffMs: 0, overheadMs: 0.25 },
    configHash: 'abc',
    content: { request: 'hello [email]', response: 'hi' },
    ...overrides,
  };
}
