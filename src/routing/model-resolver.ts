import { AUTO_MODEL, type RoutingConfig } from '../config/index.js';
import type { ChatModel, ChatRequest } from '../contract/index.js';
import { ModelNotFoundError } from '../errors/index.js';
import { extractRequestFeatures } from './features/extract-request-features.js';
import { HeuristicTaskClassifier } from './features/heuristic-task-classifier.js';
import type { RequestFeatures, TaskClassifier } from './features/request-features.js';
import { evaluatePolicy } from './policy/evaluate-policy.js';

/** Which configured model serves a request, and why (a short sentence for headers and logs). */
export interface ResolvedTarget {
  model: ChatModel;
  /** The rule that decided (`default`, `rule 2`, a rule's name), or `forced` for named targets. */
  rule: string;
  reason: string;
  /** The name the client sent. */
  requested: string;
  /** Present when the routing policy ran (requests for `auto`). */
  features?: RequestFeatures;
}

/**
 * Maps the `model` a client sends to a configured model. `auto` (or an alias of it) runs the
 * routing policy on the request's features; a configured name, an alias of one, `metadata.route`
 * or the `x-switchyard-route` header forces that model. Anything else is a 404 listing valid names.
 */
export class ModelResolver {
  private readonly models: ReadonlyMap<string, ChatModel>;
  private readonly routing: RoutingConfig;
  private readonly classifier: TaskClassifier;

  constructor(options: {
    models: ReadonlyMap<string, ChatModel>;
    routing: RoutingConfig;
    classifier?: TaskClassifier;
  }) {
    this.models = options.models;
    this.routing = options.routing;
    this.classifier = options.classifier ?? new HeuristicTaskClassifier();
  }

  /** Every name a client may send: `auto`, the configured models, then the aliases. */
  listNames(): string[] {
    return [AUTO_MODEL, ...this.models.keys(), ...Object.keys(this.routing.aliases)];
  }

  resolve(requested: string, request?: ChatRequest, routeOverride?: string): ResolvedTarget {
    const aliasOf = Object.hasOwn(this.routing.aliases, requested)
      ? this.routing.aliases[requested]
      : undefined;
    const override = routeOverride ?? request?.metadata?.route;
    if (override !== undefined) {
      const model = this.models.get(override);
      if (!model) throw new ModelNotFoundError({ model: override, validNames: [...this.models.keys()] });
      return { model, rule: 'forced', reason: `The request forced route '${override}'.`, requested };
    }
    const name = aliasOf ?? requested;
    if (name !== AUTO_MODEL) {
      const model = this.models.get(name);
      if (!model) throw new ModelNotFoundError({ model: requested, validNames: this.listNames() });
      const via = aliasOf ? ` (alias '${requested}')` : '';
      return { model, rule: 'forced', reason: `The request named model '${name}'${via}.`, requested };
    }
    const features = request
      ? extractRequestFeatures(request, { requestedModel: requested, classifier: this.classifier })
      : undefined;
    const decision = features
      ? evaluatePolicy(this.routing, features)
      : {
          target: this.routing.default,
          rule: 'default',
          reason: `Routed to the default model ${this.routing.default}.`,
        };
    const model = this.models.get(decision.target);
    // Config validation guarantees every rule target exists; a miss here is a programming error.
    if (!model) throw new Error(`routing refers to unknown model '${decision.target}'`);
    return {
      model,
      rule: decision.rule,
      reason: decision.reason,
      requested,
      ...(features ? { features } : {}),
    };
  }
}
