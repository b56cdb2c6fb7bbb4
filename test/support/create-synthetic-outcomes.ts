import type { Attempt, RequestOutcome, RouteReason, Usage } from '../../src/contract/index.js';

/** A small deterministic generator (mulberry32), so a generated log is the same every run. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TASK_TYPES = ['chat', 'faq', 'extraction', 'summarization', 'classification', 'code', 'reasoning'];
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', null];
const PRICES = {
  local: 0,
  cloud: { input: 0.15e-6, output: 0.6e-6 },
  claude: { input: 3e-6, output: 15e-6 },
};

function usageOf(input: number, output: number): Usage {
  return {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    source: 'upstream',
  };
}

function priceOf(model: string, usage: Usage): number | null {
  if (model === 'local') return 0;
  const price = model === 'cloud' ? PRICES.cloud : PRICES.claude;
  return usage.inputTokens * price.input + usage.outputTokens * price.output;
}

function uuidV7Like(time: number, random: () => number): string {
  const hex = time.toString(16).padStart(12, '0');
  const tail = Array.from({ length: 20 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${tail.slice(0, 3)}-${tail.slice(3, 7)}-${tail.slice(7, 19)}`;
}

/**
 * Plausible traffic of an SLM-first deployment, as outcomes the gateway would build: mostly the
 * local model by default or by rule, code and reasoning to the cloud, some escalations, fallbacks,
 * errors, PII kept local, a few unpriced requests, several tenants and keys. `count` outcomes spread
 * evenly over [from, to), in time order.
 */
export function* createSyntheticOutcomes(options: {
  count: number;
  from: number;
  to: number;
  seed?: number;
  /** Prompt and answer text per row (as `storage.content: redacted` keeps them); off by default. */
  content?: boolean;
}): Generator<RequestOutcome> {
  const random = createRandom(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const step = (options.to - options.from) / options.count;
  for (let index = 0; index < options.count; index += 1) {
    const startedAt = Math.floor(options.from + index * step + random() * step * 0.9);
    const taskType = pick(TASK_TYPES);
    const tenant = pick(TENANTS);
    const pii = random() < 0.03;
    const inputTokens = 50 + Math.floor(random() * 1500);
    const outputTokens = 10 + Math.floor(random() * 400);
    let target = taskType === 'code' || taskType === 'reasoning' ? 'cloud' : 'local';
    let rule = target === 'cloud' ? 'hard-to-cloud' : 'default';
    if (random() < 0.05) {
      target = random() < 0.5 ? 'claude' : 'cloud';
      rule = 'forced';
    }
    let reason: RouteReason =
      rule === 'default'
        ? { kind: 'default', target }
        : rule === 'forced'
          ? { kind: 'forced', target, by: 'model' }
          : { kind: 'rule', rule, target, facts: [`taskType is ${taskType}`] };
    if (pii && target !== 'local') {
      reason = { kind: 'residency', from: target, to: 'local', piiKinds: ['email'] };
      target = 'local';
      rule = 'residency';
    }
    const usage = usageOf(inputTokens, outputTokens);
    const localMs = 40 + random() * 400;
    const cloudMs = 300 + random() * 2500;
    const attempts: Attempt[] = [];
    let served: string | null = target;
    let status = 200;
    let escalation: RequestOutcome['escalation'] = null;
    let error: RequestOutcome['error'] = null;
    const roll = random();
    const latencyOf = (model: string) => (model === 'local' ? localMs : cloudMs);
    if (roll < 0.01) {
      status = pick([429, 502, 504]);
      served = null;
      error = { code: status === 429 ? 'rate_limit_exceeded' : 'upstream_error', message: 'failed' };
      attempts.push({ model: target, role: 'primary', status: 'error', latencyMs: 5, costUsd: 0 });
    } else if (roll < 0.02 && target !== 'local' && !pii) {
      attempts.push({
        model: target,
        role: 'primary',
        status: 'error',
        errorCode: 'upstream_error',
        latencyMs: 30,
        costUsd: 0,
      });
      served = 'local';
      reason = { kind: 'fallback', from: target, to: 'local', cause: 'upstream_error' };
      attempts.push({
        model: 'local',
        role: 'fallback',
        status: 'ok',
        latencyMs: localMs,
        usage,
        costUsd: 0,
      });
    } else if (target === 'local' && roll < 0.08) {
      const why = pick(['empty', 'invalid_json', 'low_confidence'] as const);
      attempts.push({
        model: 'local',
        role: 'primary',
        status: 'ok',
        latencyMs: localMs,
        usage,
        costUsd: 0,
        confidence: 0.3,
      });
      if (pii) {
        reason = {
          kind: 'escalation-declined',
          from: 'local',
          to: 'cloud',
          why,
          detail: why,
          because: 'residency',
        };
        escalation = { from: 'local', to: 'cloud', why, detail: why, escalated: false };
      } else {
        served = 'cloud';
        reason = { kind: 'escalated', from: 'local', to: 'cloud', why, detail: why };
        escalation = { from: 'local', to: 'cloud', why, detail: why, escalated: true };
        attempts.push({
          model: 'cloud',
          role: 'escalation',
          status: 'ok',
          latencyMs: cloudMs,
          usage,
          costUsd: priceOf('cloud', usage),
        });
      }
    } else {
      attempts.push({
        model: target,
        role: 'primary',
        status: 'ok',
        latencyMs: latencyOf(target),
        ttftMs: latencyOf(target) / 4,
        usage,
        costUsd: priceOf(target, usage),
      });
    }
    // A model without a price: its requests carry an unknown cost.
    const unpriced = served === 'claude' && random() < 0.2;
    if (unpriced) for (const attempt of attempts) if (attempt.model === 'claude') attempt.costUsd = null;
    const costs = attempts.map((attempt) => attempt.costUsd);
    const costUsd = costs.includes(null) ? null : costs.reduce<number>((sum, cost) => sum + (cost ?? 0), 0);
    const upstreamMs = attempts.reduce((sum, attempt) => sum + attempt.latencyMs, 0);
    const overheadMs = 0.2 + random() * 1.5;
    const answered = served !== null;
    yield {
      id: uuidV7Like(startedAt, random),
      api: 'openai',
      startedAt,
      tenant,
      keyId: tenant ? `key_${tenant}_${Math.floor(random() * 2)}` : null,
      user: `user-${Math.floor(random() * 50)}`,
      requestedModel: rule === 'forced' ? target : 'auto',
      stream: random() < 0.4,
      decision: {
        requested: 'auto',
        target: reason.kind === 'residency' ? 'local' : (attempts[0]?.model ?? target),
        reason,
        rule,
        forced: rule === 'forced',
        candidates: [target],
        piiKinds: pii ? ['email'] : [],
        piiScanned: true,
        localOnly: pii,
        features: {
          inputTokens,
          taskType,
          taskTypeProbability: 0.5 + random() / 2,
          complexity: random(),
          piiKinds: pii ? ['email'] : [],
          hasTools: false,
          responseFormat: 'text',
          requestedModel: 'auto',
          metadata: {},
        },
      },
      reason,
      reasonText: `synthetic ${reason.kind}`,
      escalation,
      attempts,
      servedModel: served,
      status,
      error,
      usage: answered ? usage : null,
      costUsd: answered || costUsd === 0 ? costUsd : 0,
      baselineCostUsd: answered ? priceOf('cloud', usage) : null,
      timings: {
        latencyMs: upstreamMs + overheadMs,
        ttftMs: answered ? upstreamMs / 3 + overheadMs : null,
        upstreamMs,
        backoffMs: 0,
        overheadMs,
      },
      configHash: 'synthetic',
      content: options.content
        ? {
            request: `[{"role":"user","content":"question ${index} about ${taskType}"}]`,
            response: `answer ${index}`,
          }
        : { request: null, response: null },
    };
  }
}
