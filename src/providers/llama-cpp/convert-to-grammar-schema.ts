type Schema = Record<string, unknown>;

/** String formats node-llama-cpp writes a grammar for; for any other it allows only "". */
const GRAMMAR_FORMATS = new Set(['date', 'time', 'date-time']);
/** Keywords that say nothing about the shape of a value. */
const DROPPED = new Set(['$schema', '$id', '$anchor', '$comment', '$defs', 'definitions', 'title']);
/** Inlining can grow a schema exponentially (a definition used twice by one used twice ...). */
const MAX_NODES = 20_000;

/** Any JSON value, spelled in the subset node-llama-cpp understands (it reads `{}` as null). */
function createAnyJson(description: unknown): Schema {
  return withDescription(description, {
    oneOf: [
      { type: ['string', 'number', 'boolean', 'null'] },
      { type: 'object', additionalProperties: true },
      { type: 'array' },
    ],
  });
}

/** Keeps a description: node-llama-cpp shows it to the model when it documents a tool. */
function withDescription(description: unknown, schema: Schema): Schema {
  if (description !== undefined) schema.description = description;
  return schema;
}

function isSchemaObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPointer(root: Schema, ref: string): unknown {
  if (!ref.startsWith('#')) throw new Error(`cannot follow $ref '${ref}' outside the schema`);
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) throw new Error(`cannot follow $ref '${ref}': only JSON pointers are supported`);
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    const key = decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) {
      throw new Error(`$ref '${ref}' points to nothing`);
    }
    node = (node as Schema)[key];
  }
  return node;
}

/** Shallow merge of `allOf` members: properties and required lists combine, other keys add up. */
function mergeAllOf(base: Schema, members: Schema[]): Schema {
  const merged: Schema = { ...base };
  for (const member of members) {
    for (const [key, value] of Object.entries(member)) {
      if (key === 'properties' && isSchemaObject(value)) {
        merged.properties = { ...(merged.properties as Schema | undefined), ...value };
      } else if (key === 'required' && Array.isArray(value)) {
        merged.required = [...new Set([...((merged.required as string[] | undefined) ?? []), ...value])];
      } else if (!(key in merged)) {
        merged[key] = value;
      }
    }
  }
  return merged;
}

class GrammarSchemaConverter {
  private readonly root: Schema;
  /** References being inlined now (the root is '#'): meeting one again means recursion. */
  private readonly expanding = new Set<string>(['#']);
  /** Recursive references, kept as `#/$defs/<name>` refs (node-llama-cpp supports those). */
  private readonly hoisted = new Map<string, string>();
  readonly defs: Record<string, Schema> = {};
  private nodes = 0;

  constructor(root: Schema) {
    this.root = root;
  }

  convert(node: unknown): Schema {
    if (++this.nodes > MAX_NODES) throw new Error('the schema is too large to build a grammar for');
    if (!isSchemaObject(node)) return node === false ? { const: null } : createAnyJson(undefined);
    if (typeof node.$ref === 'string') return this.convertReference(node);
    const schema: Schema = {};
    for (const [key, value] of Object.entries(node)) if (!DROPPED.has(key)) schema[key] = value;
    if (Array.isArray(schema.allOf)) {
      const { allOf, ...rest } = schema;
      const members = (allOf as unknown[]).map((member) => this.followReferences(member));
      return this.convert(mergeAllOf(rest, members.filter(isSchemaObject)));
    }
    const union = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(union)) {
      const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
      // Generation cannot tell anyOf from oneOf: both are "one of these shapes".
      const members = union.map((member) => this.convert(member));
      return withDescription(rest.description, { oneOf: members });
    }
    if (schema.const !== undefined || Array.isArray(schema.enum)) return schema;
    if (Array.isArray(schema.type)) {
      const types = [...new Set(schema.type as string[])];
      if (types.length === 1) return this.convert({ ...schema, type: types[0] });
      const { type: _type, description, ...rest } = schema;
      const members = types.map((type) => this.convert({ ...rest, type }));
      return withDescription(description, { oneOf: members });
    }
    const type = schema.type ?? this.inferType(schema);
    if (type === 'object') return this.convertObject({ ...schema, type });
    if (type === 'array') return this.convertArray({ ...schema, type });
    if (type === 'string' && schema.format !== undefined && !GRAMMAR_FORMATS.has(String(schema.format))) {
      const { format: _format, ...rest } = schema;
      return rest;
    }
    if (type === undefined) return createAnyJson(schema.description);
    return schema;
  }

  /** A member of `allOf` as its own keywords, so that they can be merged before converting. */
  private followReferences(node: unknown): unknown {
    let current = node;
    for (let hops = 0; isSchemaObject(current) && typeof current.$ref === 'string'; hops += 1) {
      if (hops > 32) throw new Error(`$ref '${current.$ref}' does not lead to a schema`);
      const { $ref, ...siblings } = current;
      const target = readPointer(this.root, $ref as string);
      current = isSchemaObject(target) ? { ...target, ...siblings } : target;
    }
    return current;
  }

  private inferType(schema: Schema): string | undefined {
    if ('properties' in schema || 'additionalProperties' in schema) return 'object';
    if ('items' in schema || 'prefixItems' in schema) return 'array';
    return undefined;
  }

  private convertObject(schema: Schema): Schema {
    const result: Schema = { ...schema };
    if (isSchemaObject(schema.properties)) {
      const properties: Schema = {};
      // A property whose schema is `false` must be absent, and the grammar writes every property.
      for (const [name, value] of Object.entries(schema.properties)) {
        if (value !== false) properties[name] = this.convert(value);
      }
      result.properties = properties;
    }
    if (isSchemaObject(schema.additionalProperties)) {
      result.additionalProperties = this.convert(schema.additionalProperties);
    }
    return result;
  }

  private convertArray(schema: Schema): Schema {
    const { items, additionalItems, prefixItems, ...result } = schema;
    // Draft-07 spells a tuple as an `items` array, 2020-12 as `prefixItems`.
    const tuple = Array.isArray(prefixItems) ? prefixItems : Array.isArray(items) ? items : undefined;
    const rest = Array.isArray(items) ? additionalItems : items;
    if (tuple) result.prefixItems = tuple.map((item) => this.convert(item));
    if (rest === false) result.maxItems = tuple?.length ?? 0;
    else if (isSchemaObject(rest)) result.items = this.convert(rest);
    return result;
  }

  private convertReference(node: Schema): Schema {
    const { $ref, ...siblings } = node as Schema & { $ref: string };
    const description = siblings.description !== undefined ? { description: siblings.description } : {};
    if (this.expanding.has($ref) || this.hoisted.has($ref)) {
      return { $ref: `#/$defs/${this.hoist($ref)}`, ...description };
    }
    const target = readPointer(this.root, $ref);
    this.expanding.add($ref);
    const converted = this.convert(isSchemaObject(target) ? { ...target, ...siblings } : target);
    this.expanding.delete($ref);
    const name = this.hoisted.get($ref);
    if (name === undefined) return converted;
    this.defs[name] = converted;
    return { $ref: `#/$defs/${name}`, ...description };
  }

  findHoistedName(ref: string): string | undefined {
    return this.hoisted.get(ref);
  }

  private hoist(ref: string): string {
    const known = this.hoisted.get(ref);
    if (known !== undefined) return known;
    const base =
      ref === '#' ? 'root' : (ref.split('/').at(-1) ?? 'def').replace(/[^a-zA-Z0-9_]/g, '_') || 'def';
    let name = base;
    for (let index = 2; [...this.hoisted.values()].includes(name); index += 1) {
      name = `${base}_${index}`;
    }
    this.hoisted.set(ref, name);
    return name;
  }
}

/**
 * Rewrites a JSON schema into the subset node-llama-cpp builds grammars from: no `$schema`,
 * references inlined (recursive ones kept as `#/$defs/` refs), `anyOf` and type lists as
 * `oneOf`, draft-07 tuples as `prefixItems`, unknown string formats dropped. The grammar only
 * steers generation; the answer is still checked against the original schema.
 */
export function convertToGrammarSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const converter = new GrammarSchemaConverter(schema);
  const converted = converter.convert(schema);
  // A reference to the whole schema ('#') became a definition the root itself must provide.
  const rootName = converter.findHoistedName('#');
  if (rootName !== undefined) converter.defs[rootName] = converted;
  if (Object.keys(converter.defs).length === 0) return converted;
  return { ...converted, $defs: converter.defs };
}
