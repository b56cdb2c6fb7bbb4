import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/index.js';
import { readOpenFileLimit, resolveMaxConnections } from './resolve-max-connections.js';

const upstream = (maxConnections: number) => ({
  provider: 'openai-compatible' as const,
  baseUrl: 'http://127.0.0.1:1/v1',
  model: 'gpt-4o-mini',
  maxConnections,
});

describe('server.maxConnections', () => {
  it('leaves room for every upstream pool and the gateway’s own files under the open-file limit', () => {
    const config = parseConfig(
      { models: { a: upstream(256), b: upstream(100) }, routing: { default: 'a' } },
      'test',
    );
    assert.equal(resolveMaxConnections(config, 20_000), 20_000 - 256 - 100 - 64);
  });

  it('is what the config says, when it says', () => {
    const config = parseConfig(
      { models: { a: upstream(256) }, routing: { default: 'a' }, server: { maxConnections: 50 } },
      'test',
    );
    assert.equal(resolveMaxConnections(config, 20_000), 50);
  });

  it('reads the soft limit from /proc/self/limits, and knows when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-limits-'));
    try {
      const file = join(dir, 'limits');
      writeFileSync(
        file,
        'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \n',
      );
      assert.equal(readOpenFileLimit(file), 1024);
      assert.equal(readOpenFileLimit(join(dir, 'missing')), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
