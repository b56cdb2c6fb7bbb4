import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { parseConfigText } from './load-config.js';

const MODELS = `models:
  cloud: { provider: openai-compatible, baseUrl: "http://127.0.0.1:1/v1", model: gpt-4o-mini }
routing: { default: cloud }
`;

describe('server and upstream limits in the config', () => {
  it('fill in every limit a client or an upstream meets', () => {
    const config = parseConfigText(MODELS, 'test.yaml');
    const { server } = config;
    assert.deepEqual(
      {
        bodyLimitBytes: server.bodyLimitBytes,
        bodyDiscardLimitBytes: server.bodyDiscardLimitBytes,
        requestTimeoutMs: server.requestTimeoutMs,
        headersTimeoutMs: server.headersTimeoutMs,
        keepAliveTimeoutMs: server.keepAliveTimeoutMs,
        maxConnections: server.maxConnections,
        streamWriteTimeoutMs: server.streamWriteTimeoutMs,
      },
      {
        bodyLimitBytes: 4 * 1024 * 1024,
        bodyDiscardLimitBytes: 128 * 1024 * 1024,
        requestTimeoutMs: 30_000,
        // Left to the server: 10 s, or the request timeout when that is shorter.
        headersTimeoutMs: undefined,
        keepAliveTimeoutMs: 72_000,
        // Left to the server: what the machine's open-file limit allows.
        maxConnections: undefined,
        streamWriteTimeoutMs: 30_000,
      },
    );
    const cloud = config.models.cloud;
    assert.ok(cloud?.provider === 'openai-compatible');
    assert.deepEqual(cloud.timeouts, {
      connectMs: 5_000,
      firstByteMs: 60_000,
      idleMs: 60_000,
      totalMs: 600_000,
      maxResponseBytes: 32 * 1024 * 1024,
      maxEventBytes: 1024 * 1024,
    });
  });

  it('refuses a headers timeout longer than the request timeout, naming the path', () => {
    assert.throws(
      () =>
        parseConfigText(`${MODELS}server: { requestTimeoutMs: 5000, headersTimeoutMs: 6000 }\n`, 'test.yaml'),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.issues.some(
          (issue) =>
            issue.path === 'server.headersTimeoutMs' &&
            issue.message === 'must not exceed server.requestTimeoutMs (5000)',
        ),
    );
  });
});
