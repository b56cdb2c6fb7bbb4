import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { listSources } from './support/list-sources.js';

// V8 in Node 20 promotes an object built by a literal that starts with a spread and then adds
// properties (`{ ...base, extra }`) to the old generation, even when it dies at once: in the
// gateway that made each request's routing target and logged scores garbage for a full
// collection (1,070 -> 43 bytes promoted per request once removed; bench/gateway/RESULTS.md).
// `Object.assign({}, base, { extra })`, a spread placed last, or plain assignments do not.
// Code on the request path must not use the pattern; this scan keeps it out.
const src = new URL('../src/', import.meta.url).pathname;
const REQUEST_PATH = [
  'server',
  'routing',
  'providers',
  'storage',
  'telemetry',
  'accounting',
  'errors',
  'contract',
];
// Runs once at start-up (a model download), never per request.
const STARTUP_ONLY = new Set(['providers/llama-cpp/resolve-gguf-file.ts']);

/** `file:line` of every object literal whose first member is a spread followed by a property. */
export function findLeadingSpreads(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isObjectLiteralExpression(node) &&
      node.properties[0] !== undefined &&
      ts.isSpreadAssignment(node.properties[0]) &&
      node.properties.slice(1).some((property) => !ts.isSpreadAssignment(property))
    ) {
      found.push(`${path}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('request-path code', () => {
  it('finds the pattern it guards against (the scan works)', () => {
    const sample =
      'const a = { ...base, extra: 1 };\nconst b = { extra: 1, ...base };\nconst c = { ...base };';
    assert.deepEqual(findLeadingSpreads('sample.ts', sample), ['sample.ts:1']);
  });

  it('builds no object with a leading spread plus properties', () => {
    const offenders = REQUEST_PATH.flatMap((folder) => listSources(join(src, folder)))
      .filter((path) => !STARTUP_ONLY.has(relative(src, path)))
      .flatMap((path) => findLeadingSpreads(relative(src, path), readFileSync(path, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
