import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestApp } from '../../test/support/create-test-app.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** A valid request to mutate: every field the wire parser reads. */
const VALID = {
  model: 'auto',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
  ],
  max_tokens: 16,
  temperature: 0.2,
  stream: false,
  tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
  response_format: { type: 'json_object' },
  metadata: { team: 'a' },
};

const anyJson = fc.jsonValue({ maxDepth: 4 });

/** A copy of `value` with one path replaced by `replacement` (or deleted when undefined). */
function mutate(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  if (value === null || typeof value !== 'object') return value;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string | number, unknown>;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (rest.length === 0 && replacement === undefined) delete copy[head];
  else copy[head] = mutate(copy[head], rest, replacement);
  return copy;
}

function listPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [index, item] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, item]) => listPaths(item, [...prefix, key]))];
}

const PATHS = listPaths(VALID);

describe('fuzzing /v1/chat/completions', () => {
  let testApp: TestApp;
  before(async () => {
    testApp = await createTestApp({ bodyLimitBytes: 64 * 1024 });
  });
  after(() => testApp.close());

  const check = async (payload: string, headers: Record<string, string>) => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers,
      payload,
    });
    // Input never causes a 5xx: an upstream's own failure is the only way to one, and the fake
    // upstream answers every valid request.
    assert.ok(
      response.statusCode < 500,
      `status ${response.statusCode} for ${payload.slice(0, 200)}: ${response.body.slice(0, 300)}`,
    );
    if (response.statusCode >= 400) {
      const body = response.json() as { error?: { message?: unknown; type?: unknown; code?: unknown } };
      assert.equal(typeof body.error?.message, 'string');
      assert.equal(typeof body.error?.type, 'string');
      assert.ok(typeof body.error?.code === 'string', `code in ${response.body}`);
    }
  };

  it('answers any mutation of a valid body with a success or an OpenAI error envelope, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.oneof(anyJson, fc.constant(undefined), fc.string(), fc.integer(), fc.constant(null)),
        async (path, replacement) => {
          await check(JSON.stringify(mutate(VALID, path, replacement) ?? null), {
            'content-type': 'application/json',
          });
        },
      ),
      { numRuns: 1_500, seed: 42 },
    );
  });

  it('handles arbitrary bytes, JSON values and content types the same way', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          anyJson.map((value) => JSON.stringify(value)),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/json; charset=latin1',
          'application/x-www-form-urlencoded',
          '',
        ),
        fc.option(
          fc.string({ maxLength: 40 }).filter((value) => /^[\x21-\x7e]*$/.test(value)),
          { nil: undefined },
        ),
        async (payload, contentType, requestId) => {
          const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
          if (requestId) headers['x-request-id'] = requestId;
          await check(payload, headers);
        },
      ),
      { numRuns: 1_500, seed: 7 },
    );
  });
});
