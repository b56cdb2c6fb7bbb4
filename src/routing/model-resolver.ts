import { AUTO_MODEL, type RoutingConfig } from '../config/index.js';
import type { ChatModel, ChatRequest } from '../contract/index.js';
import { ModelNotFoundError } from '../errors/index.js';
import { listPiiKinds, type PiiKind } from './features/detect-pii.js';
import { extractRequestFeatures, joinMessageText } from './features/extract-request-features.js';
import { HeuristicTaskClassifier } from './features/heuristic-task-classifier.js';
import type { RequestFeatures, TaskClassifier } from './features/request-features.js';
import { evaluatePolicy } from './policy/evaluate-policy.js';

/** What routing needs to know of a model (a ChatModel has it; so does an audit's model descriptor). */
export type RoutableModel = Pick<ChatModel, 'name' | 'isLocal' | 'countTokens'>;

/** Which configured model serves a request, and why (a short sentence for headers and logs). */
export interface ResolvedTarget<M extends RoutableModel = ChatModel> {
  model: M;
  /** The rule that decided (`default`, `rule 2`, a rule's name), `forced` or `residency`. */
  rule: string;
  reason: string;
  /** The name the client sent. */
  requested: string;
  /** True when the client chose the model (by name, alias, `metadata.route` or header). */
  forced: boolean;
  /** Kinds of PII found (scanned for routed requests and whenever residency is configured). */
  piiKinds: PiiKind[];
  /** True when the messages were scanned for PII (so an empty `piiKinds` means none). */
  piiScanned: boolean;
  /** True when residency binds this request to local models (fallbacks and escalation included). */
  localOnly: boolean;
  /** Present when the routing policy ran (requests for `auto`). */
  features?: RequestFeatures;
}

/**
 * Maps the `model` a client sends to a configured model. `auto` (or an alias of it) runs the
 * routing policy on the request's features; a configured name, an alias of one, `metadata.route`
 * or the `x-switchyard-route` header forces that model. Residency overrides both: a request with
 * PII goes to the residency model whenever the pick is not local. Unknown names are a 404.
 */
export class ModelResolver<M extends RoutableModel = ChatModel> {
  private readonly models: ReadonlyMap<string, M>;
  private readonly routing: RoutingConfig;
  private readonly classifier: TaskClassifier;
  private readonly rulesReadTokens: boolean;

  constructor(options: {
    models: ReadonlyMap<string, M>;
    routing: RoutingConfig;
    classifier?: TaskClassifier;
  }) {
    this.models = options.models;
    this.routing = options.routing;
    this.classifier = options.classifier ?? new HeuristicTaskClassifier();
    this.rulesReadTokens = options.routing.rules.some((rule) => rule.when.inputTokens !== undefined);
  }

  /** Every name a client may send: `auto`, the configured models, then the aliases. */
  listNames(): string[] {
    return [AUTO_MODEL, ...this.models.keys(), ...Object.keys(this.routing.aliases)];
  }

  resolve(requested: string, request: ChatRequest, routeOverride?: string): ResolvedTarget<M> {
    const picked = this.pick(requested, request, routeOverride);
    const residencyModel = this.routing.residency.pii;
    // Object.assign, not `{ ...picked, extra }`: V8 (Node 20) promotes objects built by a leading
    // spread plus more properties to the old generation, where every request's target became
    // garbage for a full collection (bench/gateway/RESULTS.md).
    if (residencyModel === undefined)
      return Object.assign({}, picked, { piiScanned: picked.features !== undefined, localOnly: false });
    const piiKinds = picked.features?.piiKinds ?? listPiiKinds(joinMessageText(request));
    const localOnly = piiKinds.length > 0;
    if (!localOnly || picked.model.isLocal) {
      return Object.assign({}, picked, { piiKinds, piiScanned: true, localOnly });
    }
    return Object.assign({}, picked, {
      model: this.getConfigured(residencyModel),
      rule: 'residency',
      reason: `The request contains PII (${piiKinds.join(', ')}); residency keeps it on ${residencyModel} instead of ${picked.model.name}.`,
      piiKinds,
      piiScanned: true,
      localOnly: true,
    });
  }

  private pick(
    requested: string,
    request: ChatRequest,
    routeOverride: string | undefined,
  ): Omit<ResolvedTarget<M>, 'localOnly' | 'piiScanned'> {
    const aliasOf = Object.hasOwn(this.routing.aliases, requested)
      ? this.routing.aliases[requested]
      : undefined;
    const override = routeOverride ?? request.metadata?.route;
    if (override !== undefined) {
      const model = this.models.get(override);
      if (!model) throw new ModelNotFoundError({ model: override, validNames: [...this.models.keys()] });
      const reason = `The request forced route '${override}'.`;
      return { model, rule: 'forced', reason, requested, forced: true, piiKinds: [] };
    }
    const name = aliasOf ?? requested;
    if (name !== AUTO_MODEL) {
      const model = this.models.get(name);
      if (!model) throw new ModelNotFoundError({ model: requested, validNames: this.listNames() });
      const via = aliasOf ? ` (alias '${requested}')` : '';
      const reason = `The request named model '${name}'${via}.`;
      return { model, rule: 'forced', reason, requested, forced: true, piiKinds: [] };
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
    return {
      model: this.getConfigured(decision.target),
      rule: decision.rule,
      reason: decision.reason,
      requested,
      forced: false,
      piiKinds: features.piiKinds,
      features,
    };
  }

  private getConfigured(name: string): M {
    const model = this.models.get(name);
    // Config validation guarantees every reference exists; a miss here is a programming error.
    if (!model) throw new Error(`routing refers to unknown model '${name}'`);
    return model;
  }
}
