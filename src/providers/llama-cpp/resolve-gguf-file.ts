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
  signal?: AbortSignal;
}): Promise<string> {
  const { reference } = options;
  const remote = isRemoteModelReference(reference);
  const path = await resolveModelFile(remote ? reference : resolve(reference), {
    directory: options.cacheDir,
    download: 'auto',
    cli: false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.huggingFaceEndpoint ? { endpoints: { huggingFace: options.huggingFaceEndpoint } } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (options.sha256) await verifySha256(path, options.sha256);
  return path;
}
