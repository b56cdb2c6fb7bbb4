import type { ConfigIssue } from '../errors/index.js';
import { readRolloutId } from './migration-loop-schema.js';
import { isLocalModelConfig } from './model-schema.js';
import type { SwitchyardConfig } from './switchyard-config-schema.js';

/** The model name that means "let the router decide". */
export const AUTO_MODEL = 'auto';

/** Cross-field checks zod cannot express: every reference names something that exists. */
export function checkConfigReferences(config: SwitchyardConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const modelNames = Object.keys(config.models);
  const known = new Set(modelNames);
  const list = modelNames.map((name) => `"${name}"`).join(', ');

  if (known.has(AUTO_MODEL)) {
    issues.push({ path: `models.${AUTO_MODEL}`, message: `"${AUTO_MODEL}" is reserved for routed requests` });
  }
  if (!known.has(config.routing.default)) {
    issues.push({
      path: 'routing.default',
      message: `unknown model "${config.routing.default}" (configured: ${list})`,
    });
  }
  for (const [alias, target] of Object.entries(config.routing.aliases)) {
    if (alias === AUTO_MODEL || known.has(alias)) {
      issues.push({ path: `routing.aliases.${alias}`, message: `alias "${alias}" hides a model name` });
    }
    if (target !== AUTO_MODEL && !known.has(target)) {
      issues.push({
        path: `routing.aliases.${alias}`,
        message: `unknown model "${target}" (use "${AUTO_MODEL}" or one of: ${list})`,
      });
    }
  }
  const checkModel = (path: string, name: string) => {
    if (!known.has(name)) issues.push({ path, message: `unknown model "${name}" (configured: ${list})` });
  };
  config.routing.rules.forEach((rule, index) => {
    checkModel(`routing.rules[${index}].then`, rule.then);
  });
  const { escalation, fallbacks, residency, baseline, overBudget, shadow, rollout } = config.routing;
  shadow.forEach((entry, index) => {
    checkModel(`routing.shadow[${index}].from`, entry.from);
    checkModel(`routing.shadow[${index}].to`, entry.to);
    if (entry.judge !== undefined) checkModel(`routing.shadow[${index}].judge`, entry.judge);
    if (entry.from === entry.to)
      issues.push({ path: `routing.shadow[${index}].to`, message: 'a shadow must run on a different model' });
  });
  const rolloutIds = new Set<string>();
  rollout.forEach((entry, index) => {
    checkModel(`routing.rollout[${index}].from`, entry.from);
    checkModel(`routing.rollout[${index}].to`, entry.to);
    if (entry.from === entry.to)
      issues.push({
        path: `routing.rollout[${index}].to`,
        message: 'a rollout must move requests to a different model',
      });
    const id = readRolloutId(entry);
    if (rolloutIds.has(id))
      issues.push({ path: `routing.rollout[${index}].id`, message: `rollout id "${id}" is used twice` });
    rolloutIds.add(id);
    const pair = [entry.from, entry.to];
    if (
      entry.auto &&
      !shadow.some((each) => each.sample > 0 && pair.includes(each.from) && pair.includes(each.to))
    )
      issues.push({
        path: `routing.rollout[${index}].auto`,
        message: `the controller judges shadow agreement between "${entry.from}" and "${entry.to}", but no routing.shadow entry samples one against the other`,
      });
    const declared = Object.keys(config.feedback.metrics);
    for (const [side, condition] of [
      ['raiseIf', entry.auto?.raiseIf.feedback],
      ['rollbackIf', entry.auto?.rollbackIf.feedback],
    ] as const) {
      if (condition && !declared.includes(condition.metric))
        issues.push({
          path: `routing.rollout[${index}].auto.${side}.feedback.metric`,
          message: `"${condition.metric}" is not a declared feedback metric (declared: ${declared.map((name) => `"${name}"`).join(', ') || 'none; add it under feedback.metrics'})`,
        });
    }
  });
  if (overBudget !== undefined) {
    const model = config.models[overBudget];
    if (!model) checkModel('routing.overBudget', overBudget);
    else if (!isLocalModelConfig(model)) {
      issues.push({ path: 'routing.overBudget', message: `"${overBudget}" is not a local model` });
    }
  }
  if (escalation) {
    checkModel('routing.escalation.from', escalation.from);
    checkModel('routing.escalation.to', escalation.to);
    if (escalation.from === escalation.to) {
      issues.push({ path: 'routing.escalation.to', message: 'escalation must go to a different model' });
    }
  }
  for (const [target, chain] of Object.entries(fallbacks)) {
    checkModel(`routing.fallbacks.${target}`, target);
    chain.forEach((name, index) => {
      checkModel(`routing.fallbacks.${target}[${index}]`, name);
    });
  }
  if (residency.pii !== undefined) {
    const model = config.models[residency.pii];
    if (!model) checkModel('routing.residency.pii', residency.pii);
    else if (!isLocalModelConfig(model)) {
      issues.push({
        path: 'routing.residency.pii',
        message: `model "${residency.pii}" is not local (use a llama-cpp model, or an openai-compatible one with local: true)`,
      });
    }
  }
  if (baseline !== undefined) checkModel('routing.baseline', baseline);
  return issues;
}
