/** The proxy settings an upstream client takes from the environment; `''` means none. */
export interface ProxyEnvironment {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/** The first of `names` set to a non-blank value in `env`. */
function readFirst(env: NodeJS.ProcessEnv, names: string[]): string {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return '';
}

/**
 * Reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY from `env` (the environment the gateway was given,
 * not necessarily process.env), in either case; the lower-case name wins, as curl has it.
 * The values are returned as `''` when unset so that undici does not fall back to process.env.
 */
export function readProxyEnvironment(env: NodeJS.ProcessEnv): ProxyEnvironment {
  return {
    httpProxy: readFirst(env, ['http_proxy', 'HTTP_PROXY']),
    httpsProxy: readFirst(env, ['https_proxy', 'HTTPS_PROXY']),
    noProxy: readFirst(env, ['no_proxy', 'NO_PROXY']),
  };
}
