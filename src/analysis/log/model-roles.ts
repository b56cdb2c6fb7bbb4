import { isLocalModelConfig, type SwitchyardConfig } from '../../config/index.js';

/** Which configured models are the small ones and which the large ones, for learning from the log. */
export interface ModelRoles {
  small: Set<string>;
  large: Set<string>;
}

/**
 * The models' roles: those named in `small` and `large` when given; otherwise the escalation's
 * `from` and `to`, and every other model by where it runs (local models are small, cloud ones large).
 */
export function resolveModelRoles(
  config: SwitchyardConfig,
  named: { small?: readonly string[]; large?: readonly string[] } = {},
): ModelRoles {
  const small = new Set<string>(named.small ?? []);
  const large = new Set<string>(named.large ?? []);
  if (named.small || named.large) {
    for (const [name, model] of Object.entries(config.models)) {
      if (small.has(name) || large.has(name)) continue;
      if (!named.small && isLocalModelConfig(model)) small.add(name);
      if (!named.large && !isLocalModelConfig(model)) large.add(name);
    }
    return { small, large };
  }
  const escalation = config.routing.escalation;
  for (const [name, model] of Object.entries(config.models)) {
    if (name === escalation?.from) small.add(name);
    else if (name === escalation?.to) large.add(name);
    else (isLocalModelConfig(model) ? small : large).add(name);
  }
  return { small, large };
}
