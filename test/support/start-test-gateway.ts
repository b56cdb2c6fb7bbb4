import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { parseConfig, type SwitchyardConfig, type SwitchyardConfigInput } from '../../src/config/index.js';
import type { ChatModel } from '../../src/contract/index.js';
import { createChatModels } from '../../src/create-chat-models.js';
import type { RolloutManager } from '../../src/gateway/index.js';
import type { TaskClassifier } from '../../src/routing/index.js';
import { createApp } from '../../src/server/index.js';
import {
  MemoryQuotaStore,
  type QuotaStore,
  type RequestLog,
  SqliteEvidenceStore,
  SqliteFeedbackStore,
  SqliteRequestLog,
  SqliteTenantStore,
  type TenantStore,
} from '../../src/storage/index.js';
import { createDefaultAnthropicReply } from './fake-anthropic-reply.js';
import { FakeUpstream } from './fake-upstream.js';

/** The GGUF every embedded-model test uses (a real 1.1 MB llama model). */
export const STORIES_GGUF = new URL('../../../shared/models/stories260K.gguf', import.meta.url).pathname;

export interface TestGateway {
  app: ReturnType<typeof createApp>;
  /** `http://127.0.0.1:<port>` when started with `listen: true`. */
  url: string;
  config: SwitchyardConfig;
  models: ReadonlyMap<string, ChatModel>;
  upstreams: Record<string, FakeUpstream>;
  requestLog: RequestLog | undefined;
  /** Tenants and keys, with `auth.mode: keys`. */
  tenants: TenantStore | undefined;
  /** The rollouts' shared shares, when rollouts are configured. */
  rollouts: RolloutManager | undefined;
  close(): Promise<void>;
}

/**
 * The real gateway (real providers, executor, request log), in-process, with one loopback fake
 * upstream per name in `upstreams`. `config` receives each upstream's base URL (`.../v1`).
 */
export async function startTestGateway(options: {
  upstreams?: string[];
  /** Fake Anthropic upstreams by name; `config` receives their base URL (without `/v1`). */
  anthropicUpstreams?: string[];
  /** The environment the models read their API keys from (empty when not given). */
  env?: NodeJS.ProcessEnv;
  config: (urls: Record<string, string>) => SwitchyardConfigInput;
  requestLogPath?: string;
  listen?: boolean;
  apiKey?: string;
  /** The admin key of `/admin/v1` (with `auth.mode: keys`). */
  adminKey?: string;
  /** Where budgets and limits are counted with `auth.mode: keys` (this process's memory by default). */
  quotas?: QuotaStore;
  /** Receives the gateway's JSON log lines (silent when not given). */
  logLines?: string[];
  /** Build the router's classifier from the config (the heuristic when not given). */
  classifier?: (config: SwitchyardConfig) => TaskClassifier;
}): Promise<TestGateway> {
  const upstreams: Record<string, FakeUpstream> = {};
  for (const name of options.upstreams ?? []) upstreams[name] = await FakeUpstream.start();
  const urls = Object.fromEntries(
    Object.entries(upstreams).map(([name, upstream]) => [name, `${upstream.url}/v1`]),
  );
  for (const name of options.anthropicUpstreams ?? []) {
    const upstream = await FakeUpstream.start(createDefaultAnthropicReply);
    upstreams[name] = upstream;
    urls[name] = upstream.url;
  }
  const input = options.config(urls);
  if (options.requestLogPath) {
    input.storage = { ...input.storage, sqlite: { path: options.requestLogPath } };
  }
  const config = parseConfig(input, 'test');
  const silent = { progress() {}, loaded() {} };
  const models = await createChatModels(config, options.env ?? {}, silent);
  const requestLog = options.requestLogPath
    ? new SqliteRequestLog({
        path: config.storage.sqlite.path,
        batchSize: config.storage.batchSize,
        flushIntervalMs: config.storage.flushIntervalMs,
        onError: (error) => {
          throw error;
        },
      })
    : undefined;
  const keyed = config.auth.mode === 'keys';
  if (keyed && !(requestLog instanceof SqliteRequestLog))
    throw new Error('auth.mode keys needs requestLogPath');
  const tenants = keyed ? new SqliteTenantStore({ requestLog: requestLog as SqliteRequestLog }) : undefined;
  const localQuotas = new MemoryQuotaStore();
  const app = createApp({
    config,
    models,
    logger: options.logLines
      ? pino({ level: 'info' }, { write: (line: string) => void options.logLines?.push(line) })
      : pino({ level: 'silent' }),
    requestLog,
    processMetrics: false,
    apiKey: options.apiKey,
    adminKey: options.adminKey,
    evidence: requestLog instanceof SqliteRequestLog ? new SqliteEvidenceStore(requestLog) : undefined,
    keys: tenants ? { tenants, quotas: options.quotas ?? localQuotas, localQuotas } : undefined,
    feedback: requestLog instanceof SqliteRequestLog ? new SqliteFeedbackStore({ requestLog }) : undefined,
    ...(options.classifier ? { classifier: options.classifier(config) } : {}),
  });
  let url = '';
  if (options.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  } else {
    await app.ready();
  }
  return {
    app,
    url,
    config,
    models,
    upstreams,
    requestLog,
    tenants,
    rollouts: app.chatGateway.rollouts,
    async close() {
      await app.close();
      await tenants?.close();
      await requestLog?.close();
      await Promise.all([...models.values()].map((model) => model.close()));
      await Promise.all(Object.values(upstreams).map((upstream) => upstream.close()));
    },
  };
}
