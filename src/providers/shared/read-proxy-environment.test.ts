import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readProxyEnvironment } from './read-proxy-environment.js';

describe('readProxyEnvironment', () => {
  it('reads upper- and lower-case names, the lower-case one first, as curl does', () => {
    assert.deepEqual(
      readProxyEnvironment({
        HTTP_PROXY: 'http://upper:1',
        http_proxy: 'http://lower:1',
        HTTPS_PROXY: 'http://upper:2',
        NO_PROXY: 'example.com',
      }),
      { httpProxy: 'http://lower:1', httpsProxy: 'http://upper:2', noProxy: 'example.com' },
    );
  });

  it('gives empty strings for unset or blank variables, so that nothing falls back to process.env', () => {
    assert.deepEqual(readProxyEnvironment({ http_proxy: '  ', HTTP_PROXY: 'http://upper:1' }), {
      httpProxy: 'http://upper:1',
      httpsProxy: '',
      noProxy: '',
    });
    assert.deepEqual(readProxyEnvironment({}), { httpProxy: '', httpsProxy: '', noProxy: '' });
  });
});
