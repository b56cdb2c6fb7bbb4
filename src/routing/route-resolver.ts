import { AUTO_MODEL, type RoutingConfig } from '../config/index.js';
import type { ChatModel, ChatRequest, RouteDecision, RouteReason } from '../contract/index.js';
import { ModelNotFoundError } from '../errors/index.js';
import { listPiiKinds } from './features/detect-pii.js';
import { extractRequestFeatures, joinMessageText } from './features/extract-request-features.js';
import { HeuristicTaskClassifier } from './features/heuristic-task-classifier.js';
import type { RequestFeatures, TaskClassifier } from './features/request-features.js';
import { planCandidates } from './plan-candidates.js';
import { evaluatePolicy } from './policy/evaluate-policy.js';
import { assignRollout, type RolloutShares, type StickyKeys } from './rollout/assign-rollout.js';

/** What routing needs to know of a model (a ChatModel has it; so does an audit's model descriptor). */
export type RoutableModel = Pick<ChatModel, 'name' | 'isLocal' | 'countTokens'>;

/** How the client asked, beyond the body's `model`. */
export interface RouteOptions {
  /** The `x-switchyard-route` header, which forces a configured model. */
  routeHeader?: string | undefined;
  /** A streaming client: escalation with `streaming: off` does not apply. */
  stream?: boolean;
  /** Who the request belongs to, for rollouts that keep a user (or tenant) on one model. */
  sticky?: StickyKeys;
}

interface Pick_ {
  target: string;
  rule: string;
  reason: RouteReason;
  forced: boolean;
  features?: RequestFeatures;
}

/**
 * Maps the `model` a client sends to a routing decision. `auto` (or an alias of it) runs the
 * routing policy on the request's features; a configured name, an alias of one, `metadata.route`
 * or the `x-switchyard-route` header forces that model. Residency overrides both, and bounds every
 * fallback and escalation candidate, here and nowhere else. Unknown names are a 404.
 */
export class RouteResolver<M extends RoutableModel = ChatModel> {
  private readonly models: ReadonlyMap<string, M>;
  private readonly routing: RoutingConfig;
  private readonly classifier: TaskClassifier;
  private readonly rulesReadTokens: boolean;
  private readonly shares: RolloutShares | undefined;

  constructor(options: {
    models: ReadonlyMap<string, M>;
    routing: RoutingConfig;
    classifier?: TaskClassifier;
    /** Rollout shares as the replicas share them (else each rollout's configured share). */
    shares?: RolloutShares | undefined;
  }) {
    this.shares = options.shares;
    this.models = options.models;
    this.routing = options.routing;
    this.classifier = options.classifier ?? new HeuristicTaskClassifier();
    this.rulesReadTokens = options.routing.rules.some((rule) => rule.when.inputTokens !== undefined);
  }

  /** Every name a client may send: `auto`, the configured models, then the aliases. */
  listNames(): string[] {
    return [AUTO_MODEL, ...this.models.keys(), ...Object.keys(this.routing.aliases)];
  }

  resolve(requested: string, request: ChatRequest, options: RouteOptions = {}): RouteDecision {
    const picked = this.pick(requested, request, options.routeHeader);
    if (!picked.forced && picked.features && this.routing.rollout.length > 0) {
      const rollout = assignRollout({
        rollouts: this.routing.rollout,
        shares: this.shares,
        target: picked.target,
        features: picked.features,
        sticky: options.sticky ?? { requestId: '' },
      });
      if (rollout) {
        picked.target = rollout.to;
        picked.reason = { kind: 'rollout', ...rollout };
        picked.rule = `rollout:${rollout.id}`;
      }
    }
    const residencyModel = this.routing.residency.pii;
    const scanned = residencyModel !== undefined || picked.features !== undefined;
    const piiKinds =
      picked.features?.piiKinds ??
      (residencyModel !== undefined ? listPiiKinds(joinMessageText(request)) : []);
    const localOnly = residencyModel !== undefined && piiKinds.length > 0;
    let { target, reason, rule } = picked;
    if (localOnly && !this.getConfigured(target).isLocal) {
      reason = { kind: 'residency', from: target, to: residencyModel, piiKinds: [...piiKinds] };
      target = residencyModel;
      rule = 'residency';
    }
    const plan = planCandidates({
      routing: this.routing,
      isLocal: (name) => this.models.get(name)?.isLocal ?? false,
      target,
      forced: picked.forced,
      stream: options.stream ?? false,
      localOnly,
    });
    return {
      requested,
      target,
      reason,
      rule,
      forced: picked.forced,
      candidates: plan.candidates,
      ...(plan.escalation ? { escalation: plan.escalation } : {}),
      piiKinds,
      piiScanned: scanned,
      localOnly,
      ...(picked.features ? { features: picked.features } : {}),
    };
  }

  private pick(requested: string, request: ChatRequest, routeHeader: string | undefined): Pick_ {
    const aliasOf = Object.hasOwn(this.routing.aliases, requested)
      ? this.routing.aliases[requested]
      : undefined;
    const override = routeHeader ?? request.metadata?.route;
    if (override !== undefined) {
      if (!this.models.has(override)) {
        throw new ModelNotFoundError({ model: override, validNames: [...this.models.keys()] });
      }
      const by = routeHeader !== undefined ? 'header' : 'metadata';
      return {
        target: override,
        rule: 'forced',
        reason: { kind: 'forced', target: override, by },
        forced: true,
      };
    }
    const name = aliasOf ?? requested;
    if (name !== AUTO_MODEL) {
      if (!this.models.has(name))
        throw new ModelNotFoundError({ model: requested, validNames: this.listNames() });
      const reason: RouteReason = aliasOf
        ? { kind: 'forced', target: name, by: 'alias', alias: requested }
        : { kind: 'forced', target: name, by: 'model' };
      return { target: name, rule: 'forced', reason, forced: true };
    }
    const defaultModel = this.getConfigured(this.routing.default);
    const features = extractRequestFeatures(request, {
      requestedModel: requested,
      classifier: this.classifier,
      // Counted with the default target's tokenizer when a rule reads inputTokens (rules on it are
      // mostly about whether a prompt fits the small model that serves by default); otherwise the
      // logged figure is the four-characters estimate, and no tokenizer is loaded for it.
      ...(this.rulesReadTokens ? { countTokens: (text: string) => defaultModel.countTokens(text) } : {}),
    });
    const decision = evaluatePolicy(this.routing, features);
    return { target: decision.target, rule: decision.rule, reason: decision.reason, forced: false, features };
  }

  private getConfigured(name: string): M {
    const model = this.models.get(name);
    // Config validation guarantees every reference exists; a miss here is a programming error.
    if (!model) throw new Error(`routing refers to unknown model '${name}'`);
    return model;
  }
}
