import type { NumberCondition, RoutingConfig, RoutingRule, RuleCondition } from '../../config/index.js';
import type { RouteReason } from '../../contract/index.js';
import type { RequestFeatures } from '../features/request-features.js';

/** Which target the policy picked, which rule did it, and the facts that matched. */
export interface PolicyDecision {
  target: string;
  /** The rule's name, `rule <index>`, or `default`. */
  rule: string;
  reason: Extract<RouteReason, { kind: 'rule' | 'default' }>;
}

function toList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function describeNumber(condition: NumberCondition): string {
  const parts = [];
  if (condition.gt !== undefined) parts.push(`> ${condition.gt}`);
  if (condition.gte !== undefined) parts.push(`>= ${condition.gte}`);
  if (condition.lt !== undefined) parts.push(`< ${condition.lt}`);
  if (condition.lte !== undefined) parts.push(`<= ${condition.lte}`);
  return parts.join(' and ');
}

function matchesNumber(value: number, condition: NumberCondition): boolean {
  return (
    (condition.gt === undefined || value > condition.gt) &&
    (condition.gte === undefined || value >= condition.gte) &&
    (condition.lt === undefined || value < condition.lt) &&
    (condition.lte === undefined || value <= condition.lte)
  );
}

/** Checks each condition; returns the facts that matched (for the reason), or undefined on a miss. */
export function matchCondition(when: RuleCondition, features: RequestFeatures): string[] | undefined {
  const facts: string[] = [];
  if (when.taskType !== undefined) {
    if (!toList(when.taskType).includes(features.taskType)) return undefined;
    facts.push(`task type is ${features.taskType}`);
  }
  if (when.complexity !== undefined) {
    if (!matchesNumber(features.complexity, when.complexity)) return undefined;
    facts.push(`complexity ${features.complexity} ${describeNumber(when.complexity)}`);
  }
  if (when.inputTokens !== undefined) {
    if (!matchesNumber(features.inputTokens, when.inputTokens)) return undefined;
    facts.push(`${features.inputTokens} input tokens ${describeNumber(when.inputTokens)}`);
  }
  if (when.pii !== undefined) {
    const kinds =
      when.pii === true || when.pii === false
        ? features.piiKinds
        : features.piiKinds.filter((kind) => (when.pii as string[]).includes(kind));
    if (when.pii === false ? kinds.length > 0 : kinds.length === 0) return undefined;
    facts.push(when.pii === false ? 'no PII found' : `PII found (${kinds.join(', ')})`);
  }
  if (when.hasTools !== undefined) {
    if (features.hasTools !== when.hasTools) return undefined;
    facts.push(when.hasTools ? 'the request offers tools' : 'the request offers no tools');
  }
  if (when.responseFormat !== undefined) {
    if (!toList(when.responseFormat).includes(features.responseFormat)) return undefined;
    facts.push(`response format is ${features.responseFormat}`);
  }
  if (when.inScope !== undefined) {
    // Without an in-scope model the request is taken as in scope (nothing says otherwise).
    const inScope = features.inScope ?? true;
    if (inScope !== when.inScope) return undefined;
    facts.push(inScope ? 'the request is in scope' : 'the request is out of scope');
  }
  if (when.intent !== undefined) {
    if (features.intent === undefined || !toList(when.intent).includes(features.intent)) return undefined;
    facts.push(`intent is ${features.intent}`);
  }
  if (when.alias !== undefined) {
    if (!toList(when.alias).includes(features.requestedModel)) return undefined;
    facts.push(`the client asked for ${features.requestedModel}`);
  }
  for (const [key, expected] of Object.entries(when.metadata ?? {})) {
    const actual = features.metadata[key];
    if (actual === undefined || !toList(expected).includes(actual)) return undefined;
    facts.push(`metadata ${key} is ${actual}`);
  }
  return facts;
}

function nameOf(rule: RoutingRule, index: number): string {
  return rule.name ?? `rule ${index}`;
}

/** Ordered rules, first match wins; with no match, the default model. */
export function evaluatePolicy(routing: RoutingConfig, features: RequestFeatures): PolicyDecision {
  for (const [index, rule] of routing.rules.entries()) {
    const facts = matchCondition(rule.when, features);
    if (!facts) continue;
    const name = nameOf(rule, index);
    return { target: rule.then, rule: name, reason: { kind: 'rule', rule: name, target: rule.then, facts } };
  }
  return { target: routing.default, rule: 'default', reason: { kind: 'default', target: routing.default } };
}
