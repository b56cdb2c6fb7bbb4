import type { ConfigIssue } from '../errors/index.js';
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
  config.routing.rules.forEach((rule, index) => {
    if (!known.has(rule.then)) {
      issues.push({
        path: `routing.rules[${index}].then`,
        message: `unknown model "${rule.then}" (configured: ${list})`,
      });
    }
  });
  return issues;
}
