import { AUTO_MODEL, type RoutingConfig } from '../config/index.js';
import type { ChatModel } from '../contract/index.js';
import { ModelNotFoundError } from '../errors/index.js';

/** Which configured model serves a request, and why (a short sentence for headers and logs). */
export interface ResolvedTarget {
  model: ChatModel;
  reason: string;
  /** The name the client sent. */
  requested: string;
  /** The alias's target when the client sent an alias. */
  aliasOf?: string;
}

/**
 * Maps the `model` a client sends to a configured model: `auto` goes to the routing default, a
 * configured name forces that model, an alias stands in for either. Everything else is a 404 that
 * lists the valid names.
 */
export class ModelResolver {
  private readonly models: ReadonlyMap<string, ChatModel>;
  private readonly routing: RoutingConfig;

  constructor(options: { models: ReadonlyMap<string, ChatModel>; routing: RoutingConfig }) {
    this.models = options.models;
    this.routing = options.routing;
  }

  /** Every name a client may send: `auto`, the configured models, then the aliases. */
  listNames(): string[] {
    return [AUTO_MODEL, ...this.models.keys(), ...Object.keys(this.routing.aliases)];
  }

  resolve(requested: string): ResolvedTarget {
    const aliasOf = Object.hasOwn(this.routing.aliases, requested)
      ? this.routing.aliases[requested]
      : undefined;
    const name = aliasOf ?? requested;
    const via = aliasOf ? ` (alias '${requested}')` : '';
    if (name === AUTO_MODEL) {
      return {
        model: this.getModel(this.routing.default),
        reason: `No routing rule matched; served by the default model${via}.`,
        requested,
        ...(aliasOf ? { aliasOf } : {}),
      };
    }
    const model = this.models.get(name);
    if (!model) throw new ModelNotFoundError({ model: requested, validNames: this.listNames() });
    return {
      model,
      reason: `The request named model '${name}'${via}.`,
      requested,
      ...(aliasOf ? { aliasOf } : {}),
    };
  }

  private getModel(name: string): ChatModel {
    const model = this.models.get(name);
    // Config validation guarantees this; a miss here is a programming error.
    if (!model) throw new Error(`routing refers to unknown model '${name}'`);
    return model;
  }
}
