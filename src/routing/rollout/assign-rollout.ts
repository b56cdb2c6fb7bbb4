import { type RolloutConfig, readRolloutId } from '../../config/index.js';
import type { RequestFeatures } from '../../contract/index.js';
import { matchCondition } from '../policy/evaluate-policy.js';

/** A rollout's current share, as the replicas share it (the database's, else the config's). */
export interface RolloutShares {
  read(id: string): { share: number; paused: boolean } | undefined;
}

/** Who a request belongs to, for sticky assignment. */
export interface StickyKeys {
  user?: string | undefined;
  tenant?: string | undefined;
  requestId: string;
}

/**
 * A stable position in [0, 1) for a rollout and a key (32-bit FNV-1a, then a murmur finaliser to
 * spread close keys): the same user lands at the same place every time, so raising a share only
 * ever adds users to the new model and lowering it only removes them.
 */
export function placeOnRollout(rolloutId: string, key: string): number {
  let hash = 0x811c9dc5;
  const text = `${rolloutId}\u0000${key}`;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}

/** The rollout that moves a routed request from `target`, if any: the first that matches and takes it. */
export function assignRollout(options: {
  rollouts: readonly RolloutConfig[];
  shares: RolloutShares | undefined;
  target: string;
  features: RequestFeatures;
  sticky: StickyKeys;
}): { id: string; from: string; to: string; share: number } | undefined {
  for (const rollout of options.rollouts) {
    if (rollout.from !== options.target) continue;
    if (rollout.when && !matchCondition(rollout.when, options.features)) continue;
    const id = readRolloutId(rollout);
    const state = options.shares?.read(id) ?? { share: rollout.share, paused: false };
    if (state.paused || state.share <= 0) continue;
    const { sticky } = options;
    const key =
      rollout.sticky === 'tenant'
        ? (sticky.tenant ?? sticky.user ?? sticky.requestId)
        : rollout.sticky === 'user'
          ? (sticky.user ?? sticky.tenant ?? sticky.requestId)
          : sticky.requestId;
    if (placeOnRollout(id, key) < state.share)
      return { id, from: rollout.from, to: rollout.to, share: state.share };
  }
  return undefined;
}
