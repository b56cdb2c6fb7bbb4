import type { Logger } from 'pino';
import { type RolloutConfig, readRolloutId } from '../../config/index.js';
import { ResourceNotFoundError } from '../../errors/index.js';
import type { RolloutShares } from '../../routing/index.js';
import type { EvidenceStore, FeedbackStore, RolloutEvent, RolloutState } from '../../storage/index.js';
import type { GatewayMetrics } from '../../telemetry/index.js';
import { judgeRollout } from './judge-rollout.js';

/** How often a replica reads the shares the others may have changed. */
const REFRESH_MS = 2_000;

/**
 * The share a later rollback returns to: a raise keeps the share it left, an operator's share is
 * taken as good, and a rollback's evidence condemns every share above the one it dropped to.
 */
function decideLastGoodShare(state: RolloutState, share: number, cause: string): number {
  if (cause === 'raise') return state.share;
  if (cause === 'manual') return share;
  if (cause === 'rollback') return Math.min(state.lastGoodShare, share);
  return state.lastGoodShare;
}

/**
 * The rollouts' shares, shared by every replica through the evidence store: read every few
 * seconds, changed by `set`/`pause`/`resume` (the CLI) and by the controller of each rollout with
 * `auto`, which raises a share while the evidence holds and drops it to the last good one when it
 * falls. A change applies only over the version it read, so replicas never undo each other; each
 * is recorded as an event with the evidence behind it.
 */
export class RolloutManager implements RolloutShares {
  private readonly states = new Map<string, RolloutState>();
  private readonly configs = new Map<string, RolloutConfig>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly options: {
      rollouts: readonly RolloutConfig[];
      evidence?: EvidenceStore | undefined;
      /** Feedback the controller weighs where a rollout's `auto` names a metric. */
      feedback?: FeedbackStore | undefined;
      logger: Logger;
      metrics?: GatewayMetrics | undefined;
      now?: () => number;
      refreshMs?: number;
    },
  ) {
    for (const rollout of options.rollouts) this.configs.set(readRolloutId(rollout), rollout);
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  read(id: string): { share: number; paused: boolean } | undefined {
    return this.states.get(id);
  }

  /** Every configured rollout's state, as last read. */
  list(): { config: RolloutConfig; state: RolloutState | undefined }[] {
    return [...this.configs].map(([id, config]) => ({ config, state: this.states.get(id) }));
  }

  /** Creates the configured rollouts the store lacks (their configured share), then reads them all. */
  async load(): Promise<void> {
    for (const [id, config] of this.configs) {
      const initial = {
        id,
        share: config.share,
        lastGoodShare: config.share,
        paused: false,
        updatedAt: this.now,
      };
      if (!this.options.evidence) {
        if (!this.states.has(id)) this.states.set(id, { ...initial, version: 1 });
        continue;
      }
      await this.options.evidence.updateRollout(initial, 0, this.event(id, 0, config.share, 'config', null));
    }
    await this.refresh();
  }

  /** Loads, then keeps reading shares and judging evidence until `close`. */
  async start(): Promise<void> {
    await this.load();
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => {
        this.ticking = undefined;
      });
    }, this.options.refreshMs ?? REFRESH_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  async set(
    id: string,
    share: number,
    cause = 'manual',
    evidence: Record<string, unknown> | null = null,
  ): Promise<RolloutState> {
    return this.change(
      id,
      (state) => ({ ...state, share, lastGoodShare: decideLastGoodShare(state, share, cause) }),
      cause,
      evidence,
    );
  }

  pause(id: string): Promise<RolloutState> {
    return this.change(id, (state) => ({ ...state, paused: true }), 'pause', null);
  }

  resume(id: string): Promise<RolloutState> {
    return this.change(id, (state) => ({ ...state, paused: false }), 'resume', null);
  }

  /** Reads, judges each rollout with a controller, and reads again after a change. */
  async tick(): Promise<void> {
    try {
      await this.refresh();
      const evidence = this.options.evidence;
      if (!evidence) return;
      for (const [id, config] of this.configs) {
        const state = this.states.get(id);
        if (!config.auto || !state) continue;
        const verdict = await judgeRollout({
          config,
          state,
          evidence,
          feedback: this.options.feedback,
          now: this.now,
        });
        if (verdict) await this.set(id, verdict.share, verdict.cause, verdict.evidence);
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'rollout state could not be read or changed');
    }
  }

  private async refresh(): Promise<void> {
    const evidence = this.options.evidence;
    if (evidence) {
      for (const state of await evidence.readRollouts()) {
        if (this.configs.has(state.id)) this.states.set(state.id, state);
      }
    }
    for (const [id, state] of this.states) {
      const config = this.configs.get(id) as RolloutConfig;
      this.options.metrics?.setRolloutShare({
        id,
        from: config.from,
        to: config.to,
        share: state.paused ? 0 : state.share,
      });
    }
  }

  /** Applies `update` over the latest state, retrying when another replica changed it first. */
  private async change(
    id: string,
    update: (state: RolloutState) => Omit<RolloutState, 'version'>,
    cause: string,
    evidence: Record<string, unknown> | null,
  ): Promise<RolloutState> {
    if (!this.configs.has(id)) {
      const configured = [...this.configs.keys()].join(', ') || 'none';
      throw new ResourceNotFoundError({
        message: `No rollout '${id}' is configured (configured: ${configured}).`,
        code: 'rollout_not_found',
      });
    }
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await this.refresh();
      const current = this.states.get(id) as RolloutState;
      const next = { ...update(current), id, updatedAt: this.now };
      const event = this.event(id, current.share, next.share, cause, evidence);
      const store = this.options.evidence;
      if (!store || (await store.updateRollout(next, current.version, event))) {
        const state = { ...next, version: current.version + 1 };
        this.states.set(id, state);
        this.options.metrics?.countRolloutChange({ id, cause });
        this.options.logger.info(
          { rollout: id, from: current.share, to: next.share, paused: next.paused, cause, evidence },
          'rollout changed',
        );
        await this.refresh();
        return state;
      }
    }
    throw new Error(`rollout '${id}' kept changing under this replica; try again`);
  }

  private event(
    id: string,
    from: number,
    to: number,
    cause: string,
    evidence: Record<string, unknown> | null,
  ): RolloutEvent {
    return { id, at: this.now, fromShare: from, toShare: to, cause, evidence };
  }
}
