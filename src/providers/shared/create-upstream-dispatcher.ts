import { type Dispatcher, EnvHttpProxyAgent } from 'undici';
import type { TimeoutsConfig } from '../../config/index.js';
import { readProxyEnvironment } from './read-proxy-environment.js';

// Idle pooled sockets close after this whatever the upstream advertises (Node servers say 60 s,
// some say minutes), so descriptors return to baseline; a shorter `Keep-Alive: timeout=` hint wins.
const IDLE_SOCKET_MS = 30_000;

/**
 * The undici dispatcher for one upstream: keep-alive connections (at most `maxConnections`),
 * HTTP/2 when asked for and the upstream offers it by ALPN, and the proxy that HTTP_PROXY,
 * HTTPS_PROXY and NO_PROXY in `env` choose for its origin.
 */
export function createUpstreamDispatcher(options: {
  timeouts: TimeoutsConfig;
  maxConnections: number;
  http2: boolean;
  env: NodeJS.ProcessEnv;
  /** Certificate authorities to trust instead of Node's (users add theirs with NODE_EXTRA_CA_CERTS). */
  ca?: string | undefined;
}): Dispatcher {
  const { connectMs, firstByteMs, idleMs } = options.timeouts;
  const tls = options.ca === undefined ? {} : { ca: options.ca };
  return new EnvHttpProxyAgent({
    ...readProxyEnvironment(options.env),
    connections: options.maxConnections,
    allowH2: options.http2,
    // Both bound silence: before the response head, and between body chunks once it streams.
    // undici checks them on a clock that ticks every half second, so they may fire up to a second
    // late, which limits of seconds can afford.
    headersTimeout: firstByteMs,
    bodyTimeout: idleMs,
    keepAliveTimeout: IDLE_SOCKET_MS,
    keepAliveMaxTimeout: IDLE_SOCKET_MS,
    connect: { timeout: connectMs, ...tls },
    // Through a proxy, `connect` is replaced by the tunnel: these set the TLS to the upstream
    // inside it (and its ALPN, hence allowH2 again) and the connection to the proxy itself.
    requestTls: { timeout: connectMs, allowH2: options.http2, ...tls },
    proxyTls: { timeout: connectMs },
  });
}
