import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { resolveModelFile } from 'node-llama-cpp';
import { verifySha256 } from './verify-sha256.js';

/** Where `hf:` models are kept unless the config says otherwise. */
export function resolveModelCacheDir(configured: string | undefined, env: NodeJS.ProcessEnv): string {
  if (configured) return resolve(configured);
  if (env.SWITCHYARD_CACHE_DIR) return resolve(env.SWITCHYARD_CACHE_DIR);
  const base =
    env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'switchyard', 'models');
}

export function isRemoteModelReference(reference: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/.test(reference);
}

/** The download URL of an `hf:<user>/<repo>/<file>` reference (or the URL itself). */
export function buildDownloadUrl(reference: string, endpoint: string): string {
  if (/^https?:\/\//.test(reference)) return reference;
  const path = reference.replace(/^(hf:|huggingface:)/, '');
  const [user, repo, ...file] = path.split('/');
  const base = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
  return `${base}${user}/${repo}/resolve/main/${file.join('/')}`;
}

/**
 * Fails fast, with the reason, when the file cannot be fetched: node-llama-cpp's downloader keeps
 * retrying an unreachable host, which looks like a hang to someone starting the gateway offline.
 */
async function probeDownload(url: string, timeoutMs: number): Promise<void> {
  let status: number;
  try {
    const response = await fetch(url, {
      method: 'HEAD',
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `cannot reach ${new URL(url).host} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
    );
  }
  if (status === 401 || status === 403)
    throw new Error(`${url} needs authorization (set HF_TOKEN for gated models)`);
  if (status === 404) throw new Error(`${url} does not exist`);
  if (status >= 400) throw new Error(`${url} answered HTTP ${status}`);
}

/**
 * A local path is used as it is; an `hf:<user>/<repo>/<file>.gguf` reference (or URL) is
 * downloaded once into the cache by node-llama-cpp's own resolver, which honours `HF_ENDPOINT` /
 * `MODEL_ENDPOINT` and `HF_TOKEN`. Either way the file is checked against `sha256` when one is given.
 */
export async function resolveGgufFile(options: {
  reference: string;
  sha256?: string | undefined;
  cacheDir: string;
  /** Hugging Face mirror, for tests and air-gapped mirrors; default from the environment. */
  huggingFaceEndpoint?: string | undefined;
  onProgress?: (status: { downloadedSize: number; totalSize: number }) => void;
  /** A download that makes no progress for this long is abandoned. */
  stallTimeoutMs?: number;
}): Promise<string> {
  const { reference } = options;
  const remote = isRemoteModelReference(reference);
  const endpoint =
    options.huggingFaceEndpoint ||
    process.env.MODEL_ENDPOINT ||
    process.env.HF_ENDPOINT ||
    'https://huggingface.co/';
  const common = {
    directory: options.cacheDir,
    cli: false,
    endpoints: { huggingFace: endpoint },
  };
  const target = remote ? reference : resolve(reference);
  // node-llama-cpp throws for a remote file that is not cached yet when downloads are off.
  let path = await resolveModelFile(target, { ...common, download: false }).catch((error: unknown) => {
    if (remote) return '';
    throw error;
  });
  if (remote && (path === '' || !existsSync(path))) {
    await probeDownload(buildDownloadUrl(reference, endpoint), 15_000);
    const stall = new AbortController();
    const stallTimeoutMs = options.stallTimeoutMs ?? 120_000;
    let timer = setTimeout(() => stall.abort(new Error('the download stalled')), stallTimeoutMs);
    try {
      path = await resolveModelFile(target, {
        ...common,
        download: 'auto',
        signal: stall.signal,
        onProgress: (status) => {
          clearTimeout(timer);
          timer = setTimeout(() => stall.abort(new Error('the download stalled')), stallTimeoutMs);
          options.onProgress?.(status);
        },
      });
    } finally {
      clearTimeout(timer);
    }
  }
  if (options.sha256) await verifySha256(path, options.sha256);
  return path;
}
