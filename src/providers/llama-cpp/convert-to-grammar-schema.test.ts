import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLIENT_JSON_SCHEMAS } from '../../../test/support/client-json-schemas.js';
import { llamaCppModelSchema } from '../../config/llama-cpp-model-schema.js';
import { findValueProblem } from '../../routing/escalation/json-schema-validators.js';
import { convertToGrammarSchema } from './convert-to-grammar-schema.js';
import { LlamaCppChatModel } from './llama-cpp-chat-model.js';

const modelPath = fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));
const ANY_JSON = {
  oneOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    { type: 'object', additionalProperties: true },
    { type: 'array' },
  ],
};
/** Keywords a grammar cannot enforce: numeric bounds, regular expressions and formats. */
const UNENFORCED = new Set([
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

/** The schema less the keywords a grammar cannot enforce (a deep copy). */
function removeUnenforcedKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(removeUnenforcedKeywords);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !UNENFORCED.has(key) || typeof value === 'object')
      .map(([key, value]) => [key, removeUnenforcedKeywords(value)]),
  );
}

describe('convertToGrammarSchema', () => {
  it('drops $schema and titles and turns a nullable anyOf into oneOf (LangChain)', () => {
    const converted = convertToGrammarSchema(CLIENT_JSON_SCHEMAS.langchainStructuredOutput!.schema);
    assert.deepEqual(converted, {
      type: 'object',
      properties: {
        answer: { type: 'string', description: 'the answer' },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        note: { oneOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['answer', 'confidence'],
      additionalProperties: false,
    });
  });

  it('inlines $refs into $defs, definitions, properties and from the root', () => {
    for (const name of [
      'zodV4SharedDefinitions',
      'zodV4Draft7SharedDefinitions',
      'zodToJsonSchemaSharedProperty',
      'zodToJsonSchemaNamed',
    ]) {
      const converted = convertToGrammarSchema(CLIENT_JSON_SCHEMAS[name]!.schema);
      const text = JSON.stringify(converted);
      assert.doesNotMatch(text, /\$ref|\$defs|definitions|\$schema/, name);
      const properties = converted.properties as Record<string, unknown>;
      assert.deepEqual(properties.billing, properties.shipping, name);
      assert.equal((properties.shipping as { type: string }).type, 'object', name);
    }
  });

  it('writes tuples as prefixItems, closed when the schema closes them', () => {
    const tuple = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }], maxItems: 2 };
    for (const name of ['zodV4SharedDefinitions', 'zodV4Draft7SharedDefinitions']) {
      const pair = (
        convertToGrammarSchema(CLIENT_JSON_SCHEMAS[name]!.schema).properties as Record<string, object>
      ).pair;
      assert.deepEqual(pair, { ...tuple, minItems: 2 }, name);
    }
  });

  it('keeps recursive references as #/$defs refs, which node-llama-cpp can follow', () => {
    for (const name of ['zodV4Recursive', 'zodToJsonSchemaRecursive']) {
      const converted = convertToGrammarSchema(CLIENT_JSON_SCHEMAS[name]!.schema);
      const [defName, def] = Object.entries(converted.$defs as Record<string, object>)[0]!;
      const children = { type: 'array', items: { $ref: `#/$defs/${defName}` } };
      assert.deepEqual((def as { properties: Record<string, unknown> }).properties.children, children, name);
      assert.match(JSON.stringify(converted.properties), new RegExp(`#/\\$defs/${defName}`), name);
    }
    const selfReference = convertToGrammarSchema({
      type: 'object',
      properties: { next: { anyOf: [{ $ref: '#' }, { type: 'null' }] } },
    });
    assert.deepEqual((selfReference.$defs as Record<string, unknown>).root, {
      type: 'object',
      properties: { next: { oneOf: [{ $ref: '#/$defs/root' }, { type: 'null' }] } },
    });
  });

  it('splits a type list that includes a structure into oneOf members', () => {
    const converted = convertToGrammarSchema({
      type: ['object', 'null'],
      properties: { a: { type: 'integer' } },
    });
    assert.deepEqual(converted, {
      oneOf: [
        { type: 'object', properties: { a: { type: 'integer' } } },
        { type: 'null', properties: { a: { type: 'integer' } } },
      ],
    });
  });

  it('spells an unconstrained value as any JSON, not as null', () => {
    assert.deepEqual(convertToGrammarSchema({ type: 'object', properties: { a: {} } }).properties, {
      a: ANY_JSON,
    });
  });

  it('drops string formats it has no grammar for and keeps date-time', () => {
    const properties = convertToGrammarSchema(CLIENT_JSON_SCHEMAS.zodV4SharedDefinitions!.schema)
      .properties as Record<string, Record<string, unknown>>;
    assert.equal(properties.email?.format, undefined);
    assert.equal(properties.placedAt?.format, 'date-time');
  });

  it('merges allOf members into one object', () => {
    const converted = convertToGrammarSchema({
      $defs: { named: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
      allOf: [{ $ref: '#/$defs/named' }, { properties: { age: { type: 'integer' } }, required: ['age'] }],
    });
    assert.deepEqual(converted, {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' } },
      required: ['name', 'age'],
    });
  });

  it('throws on a $ref it cannot follow and on a schema that inlines too large', () => {
    assert.throws(() => convertToGrammarSchema({ $ref: 'https://example.com/s.json' }), /outside/);
    assert.throws(() => convertToGrammarSchema({ $ref: '#/$defs/missing' }), /points to nothing/);
    const defs: Record<string, unknown> = { d0: { type: 'string' } };
    for (let level = 1; level <= 20; level += 1) {
      defs[`d${level}`] = {
        type: 'array',
        prefixItems: [{ $ref: `#/$defs/d${level - 1}` }, { $ref: `#/$defs/d${level - 1}` }],
      };
    }
    assert.throws(() => convertToGrammarSchema({ $defs: defs, $ref: '#/$defs/d20' }), /too large/);
  });
});

describe('the embedded model with client-shaped schemas', () => {
  let model: LlamaCppChatModel;
  before(async () => {
    const config = llamaCppModelSchema.parse({
      provider: 'llama-cpp',
      model: modelPath,
      contextSize: 1024,
      threads: 1,
      gpu: false,
    });
    model = await LlamaCppChatModel.load({ name: 'local', config, modelPath });
  });
  after(() => model.close());

  for (const [name, { schema }] of Object.entries(CLIENT_JSON_SCHEMAS)) {
    it(`answers ${name} with JSON that fits the schema as far as a grammar can enforce`, async () => {
      const result = await model.doGenerate(
        {
          messages: [{ role: 'user', content: 'Once upon a time' }],
          maxOutputTokens: 400,
          responseFormat: { type: 'json_schema', name: 'answer', schema },
        },
        new AbortController().signal,
      );
      const value: unknown = JSON.parse(result.text);
      const structural = removeUnenforcedKeywords(schema) as Record<string, unknown>;
      assert.equal(findValueProblem(structural, value), undefined, result.text);
    });
  }

  it('builds a grammar for every recorded tool parameter schema', async () => {
    for (const name of ['langchainToolParameters', 'aiSdkToolParameters']) {
      const parameters = CLIENT_JSON_SCHEMAS[name]!.schema;
      const result = await model.doGenerate(
        {
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          maxOutputTokens: 8,
          tools: [{ name: 'get_weather', parameters }],
        },
        new AbortController().signal,
      );
      assert.equal(result.usage.outputTokens > 0, true, name);
    }
  });
});
