import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_JSON_SCHEMAS } from '../../../test/support/client-json-schemas.js';
import { findSchemaProblem, findValueProblem } from './json-schema-validators.js';

const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';
const schemaOf = (name: string) => CLIENT_JSON_SCHEMAS[name]!.schema;

const order = {
  id: 7,
  status: 'open',
  shipping: { city: 'Paris' },
  billing: { city: 'Lyon', zip: '69001' },
  note: null,
  tags: ['a'],
  pair: ['x', true],
  placedAt: '2024-05-01T10:00:00Z',
  email: 'ada@example.com',
};

describe('JSON schema validators', () => {
  for (const [name, { source, schema }] of Object.entries(CLIENT_JSON_SCHEMAS)) {
    it(`accepts the schema ${source}`, () => {
      assert.equal(findSchemaProblem(schema), undefined, name);
    });
  }

  it('checks an answer against a 2020-12 schema with its nullable anyOf (LangChain)', () => {
    const schema = schemaOf('langchainStructuredOutput');
    assert.equal(findValueProblem(schema, { answer: 'x', confidence: 0.5, note: null }), undefined);
    assert.equal(findValueProblem(schema, { answer: 'x', confidence: 0.5 }), undefined);
    assert.match(findValueProblem(schema, { answer: 'x', confidence: 2 }) ?? '', /confidence/);
    assert.match(findValueProblem(schema, { answer: 'x', confidence: 0.5, extra: 1 }) ?? '', /additional/);
  });

  it('follows $refs into $defs, definitions and properties when checking an answer', () => {
    // zod-to-json-schema was given the order without its two string formats.
    const { placedAt: _placedAt, email: _email, ...zod3Order } = order;
    for (const [name, value] of [
      ['zodV4SharedDefinitions', order],
      ['zodV4Draft7SharedDefinitions', order],
      ['zodToJsonSchemaSharedProperty', zod3Order],
      ['zodToJsonSchemaNamed', zod3Order],
    ] as const) {
      const schema = schemaOf(name);
      assert.equal(findValueProblem(schema, value), undefined, name);
      const problem = findValueProblem(schema, { ...value, billing: { zip: '1' } });
      assert.match(problem ?? '', /billing/, name);
    }
  });

  it('reads tuples by the dialect the schema declares', () => {
    const longPair = { ...order, pair: ['x', true, 'extra'] };
    // 2020-12 `prefixItems` + `items: false` and draft-07 `items: [...]` + `additionalItems: false`.
    assert.match(findValueProblem(schemaOf('zodV4SharedDefinitions'), longPair) ?? '', /pair/);
    assert.match(findValueProblem(schemaOf('zodV4Draft7SharedDefinitions'), longPair) ?? '', /pair/);
    const wrongPair = { ...order, pair: [1, true] };
    assert.match(findValueProblem(schemaOf('zodV4SharedDefinitions'), wrongPair) ?? '', /pair\/0/);
  });

  it('checks recursive schemas at any depth', () => {
    for (const name of ['zodV4Recursive', 'zodToJsonSchemaRecursive']) {
      const schema = schemaOf(name);
      const tree = { root: { name: 'a', children: [{ name: 'b', children: [] }] } };
      assert.equal(findValueProblem(schema, tree), undefined, name);
      const broken = {
        root: { name: 'a', children: [{ name: 'b', children: [{ name: 3, children: [] }] }] },
      };
      assert.match(findValueProblem(schema, broken) ?? '', /name/, name);
    }
  });

  it('accepts draft-07 and 2020-12 spellings with or without the trailing #', () => {
    for (const $schema of [
      'http://json-schema.org/draft-07/schema#',
      'http://json-schema.org/draft-07/schema',
      'https://json-schema.org/draft/2020-12/schema',
      'https://json-schema.org/draft/2020-12/schema#',
      'https://json-schema.org/draft/2019-09/schema#',
    ]) {
      assert.equal(findSchemaProblem({ $schema, type: 'object' }), undefined, $schema);
    }
  });

  it('refuses a schema that breaks the rules of the dialect it declares', () => {
    assert.match(findSchemaProblem({ $schema: DRAFT_2020, type: 'banana' }) ?? '', /schema\/type/);
    assert.match(
      findSchemaProblem({ $schema: DRAFT_2020, $ref: '#/$defs/missing' }) ?? '',
      /can't resolve reference/,
    );
    assert.match(findSchemaProblem({ $schema: DRAFT_2020, properties: [] }) ?? '', /properties/);
  });

  it('refuses an unknown $schema dialect and a $schema that is not a string', () => {
    assert.match(
      findSchemaProblem({ $schema: 'https://example.com/my-meta', type: 'object' }) ?? '',
      /not a supported dialect/,
    );
    assert.match(findSchemaProblem({ $schema: 7, type: 'object' }) ?? '', /must be a string/);
  });

  it('checks draft-04 schemas by the draft-07 rules they share', () => {
    const draft4 = 'http://json-schema.org/draft-04/schema#';
    assert.equal(findSchemaProblem({ $schema: draft4, type: 'object', required: ['a'] }), undefined);
    const booleanBound = { $schema: draft4, type: 'number', minimum: 0, exclusiveMinimum: true };
    assert.match(findSchemaProblem(booleanBound) ?? '', /exclusiveMinimum must be number/);
  });

  it('compiles two different schemas that reuse one $id', () => {
    const id = 'https://example.com/answer.json';
    assert.equal(findSchemaProblem({ $id: id, type: 'object' }), undefined);
    assert.equal(findSchemaProblem({ $id: id, type: 'string' }), undefined);
    assert.equal(findValueProblem({ $id: id, type: 'string' }, 'ok'), undefined);
  });
});
