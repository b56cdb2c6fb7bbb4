import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { listSources } from './support/list-sources.js';

// DESIGN.md §2: a module imports only from layers below it; layer-3 folders never import each other;
// cross-folder imports go through the folder's index.ts; only main.ts (and its composition helpers)
// name concrete providers.
const LAYERS: Record<string, number> = {
  contract: 1,
  errors: 1.5,
  config: 2,
  providers: 3,
  accounting: 3,
  storage: 3,
  telemetry: 3,
  routing: 4,
  gateway: 5,
  analysis: 6,
  server: 6,
  cli: 7,
};
const src = new URL('../src/', import.meta.url).pathname;

function topFolder(path: string): string {
  const [first] = relative(src, path).split('/');
  return first?.endsWith('.ts') ? '(root)' : (first ?? '');
}

describe('dependency rule', () => {
  const violations: string[] = [];
  for (const file of listSources(src)) {
    const from = topFolder(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/from '(\.[^']+)'/g)) {
      const target = join(file, '..', match[1] as string);
      const to = topFolder(target);
      if (from === to || from === '(root)') continue;
      const where = `${relative(src, file)} imports ${match[1]}`;
      const fromLayer = LAYERS[from];
      const toLayer = LAYERS[to];
      if (fromLayer === undefined || toLayer === undefined) violations.push(`${where}: unknown folder`);
      else if (toLayer >= fromLayer) violations.push(`${where}: layer ${from} may not import ${to}`);
      const insideTarget = relative(join(src, to), target);
      const throughIndex = insideTarget === 'index.js' || /^[^/]+\/index\.js$/.test(insideTarget);
      if (!throughIndex) violations.push(`${where}: cross-folder imports go through index.ts`);
    }
  }

  it('holds for every source file', () => {
    assert.deepEqual(violations, []);
  });

  it('keeps concrete providers out of everything but the composition root', () => {
    const offenders = listSources(src).filter(
      (file) =>
        !['providers', '(root)'].includes(topFolder(file)) &&
        /providers\/(llama-cpp|openai-compatible|anthropic)/.test(readFileSync(file, 'utf8')),
    );
    assert.deepEqual(offenders, []);
  });
});

describe('concrete stores', () => {
  it('are named only in storage/ and the composition root', () => {
    const offenders = listSources(src).filter(
      (file) =>
        !['storage', '(root)'].includes(topFolder(file)) &&
        /\b(Sqlite|Postgres)[A-Za-z]*\b|better-sqlite3|from 'pg'/.test(readFileSync(file, 'utf8')),
    );
    assert.deepEqual(offenders, []);
  });
});
