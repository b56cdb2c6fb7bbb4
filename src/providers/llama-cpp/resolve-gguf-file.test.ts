import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveGgufFile } from './resolve-gguf-file.js';
import { computeFileSha256 } from './verify-sha256.js';

const fixture = fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));

/** Serves the fixture at Hugging Face's `/<user>/<repo>/resolve/<branch>/<file>` layout on 127.0.0.1. */
describe('resolveGgufFile against a local Hugging Face mirror', () => {
  const requested: string[] = [];
  const server = createServer((request, response) => {
    requested.push(`${request.method} ${request.url}`);
    if (request.url?.startsWith('/tiny/stories-GGUF/resolve/main/stories260K.gguf')) {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(readFileSync(fixture).length),
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(fixture).pipe(response);
      return;
    }
    response.writeHead(404).end();
  });
  let endpoint = '';
  let cacheDir = '';
  let sha256 = '';
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    cacheDir = mkdtempSync(join(tmpdir(), 'switchyard-models-'));
    sha256 = await computeFileSha256(fixture);
  });
  after(() => {
    server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('downloads an hf: reference once, with progress, and verifies its sha256', async () => {
    const progress: number[] = [];
    const path = await resolveGgufFile({
      reference: 'hf:tiny/stories-GGUF/stories260K.gguf',
      sha256,
      cacheDir,
      huggingFaceEndpoint: endpoint,
      onProgress: ({ downloadedSize }) => progress.push(downloadedSize),
    });
    assert.ok(path.startsWith(cacheDir));
    assert.equal(await computeFileSha256(path), sha256);
    assert.ok(progress.length > 0, 'progress was reported');
    assert.ok(existsSync(`${path}.sha256`), 'verification note written');
    const downloads = requested.filter((line) => line.startsWith('GET')).length;
    const again = await resolveGgufFile({
      reference: 'hf:tiny/stories-GGUF/stories260K.gguf',
      sha256,
      cacheDir,
      huggingFaceEndpoint: endpoint,
    });
    assert.equal(again, path);
    assert.equal(requested.filter((line) => line.startsWith('GET')).length, downloads, 'cached file reused');
  });

  it('refuses a file whose sha256 does not match the pin', async () => {
    await assert.rejects(
      resolveGgufFile({ reference: fixture, sha256: '0'.repeat(64), cacheDir }),
      /has sha256 [0-9a-f]{64}, expected 0{64}/,
    );
  });

  it('fails clearly when the mirror does not have the file', async () => {
    await assert.rejects(
      resolveGgufFile({
        reference: 'hf:tiny/stories-GGUF/missing.gguf',
        cacheDir,
        huggingFaceEndpoint: endpoint,
      }),
    );
  });
});
