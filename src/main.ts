import { readFileSync } from 'node:fs';
import { type Logger, pino } from 'pino';
import type { CliDependencies, RunningGateway } from './cli/index.js';
import { runCli } from './cli/index.js';
import { type LoadedConfig, loadConfig, type SwitchyardConfig } from './config/index.js';
import { createChatModels, type ModelLoadReporter } from './create-chat-models.js';
import { createTaskClassifier } from './create-task-classifier.js';
import { openQuotaStores, type QuotaStores } from './open-quota-stores.js';
import { openRequestStats } from './open-request-stats.js';
import {
  openEvidenceStore,
  openOutcomeLogReader,
  openStorage,
  openTenantStore,
  type Storage,
} from './open-storage.js';
import { loadSchemaValidators } from './routing/index.js';
import { createApp } from './server/index.js';
import { createLogDestination, flushLogDestination } from './telemetry/index.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

function createLoadReporter(stderr: NodeJS.WriteStream, log: Logger): ModelLoadReporter {
  let lastReported = -1;
  return {
    progress(name, fraction, totalBytes) {
      const percent = Math.floor(fraction * 100);
      if (percent === lastReported) return;
      lastReported = percent;
      const megabytes = Math.round(totalBytes / 1e6);
      if (stderr.isTTY) stderr.write(`\rDownloading model '${name}': ${percent}% of ${megabytes} MB`);
      else if (percent % 10 === 0) log.info({ model: name, percent, totalBytes }, 'downloading model');
      if (percent === 100 && stderr.isTTY) stderr.write('\n');
    },
    loaded(model, detail) {
      log.info({ model: model.name, provider: model.provider, detail }, 'model loaded');
    },
  };
}

/** Config → concrete models and stores → HTTP server, listening. */
export async function startGateway(options: {
  loaded: LoadedConfig;
  host: string;
  port: number;
  env: NodeJS.ProcessEnv;
}): Promise<RunningGateway> {
  const { config } = options.loaded;
  // Asynchronous writes, so a log line never waits for stdout's reader; flushed on shutdown.
  const logDestination = createLogDestination();
  const logger = pino({ level: config.logging.level, base: { service: 'switchyard' } }, logDestination);
  const classifier = createTaskClassifier(config.routing);
  const models = await createChatModels(config, options.env, createLoadReporter(process.stderr, logger));
  // Tokenizers load now, not on first use: a stream cut short is counted with its model's, and
  // loading one mid-traffic would stall every request in flight.
  for (const model of models.values()) model.countTokens('');
  // So do the JSON Schema meta-schemas that check tools and response formats.
  loadSchemaValidators();
  let storage: Storage;
  try {
    storage = await openStorage(config, options.env, logger);
  } catch (error) {
    await Promise.allSettled([...models.values()].map((model) => model.close()));
    throw error;
  }
  const { requestLog } = storage;
  let quotaStores: QuotaStores | undefined;
  try {
    if (config.auth.mode === 'keys') quotaStores = await openQuotaStores(config, options.env, logger);
  } catch (error) {
    await storage.close();
    await Promise.allSettled([...models.values()].map((model) => model.close()));
    throw error;
  }
  const readEnv = (name: string | undefined) => (name ? options.env[name] : undefined);
  const reloadRouter = (trigger: string) => {
    const result = classifier.reload();
    if (result.reloaded) logger.info({ trigger, ...result }, 'router models reloaded');
    else logger.error({ trigger, ...result }, 'router models not reloaded: the models in use stay');
    return result;
  };
  const apiKey = readEnv(config.server.apiKeyEnv);
  const adminKey = readEnv(config.auth.adminKeyEnv);
  if (config.auth.adminKeyEnv && !adminKey) {
    logger.warn({ adminKeyEnv: config.auth.adminKeyEnv }, 'the admin key is not set: /admin/v1 is off');
  }
  const keys = quotaStores
    ? { tenants: storage.tenants, quotas: quotaStores.quotas, localQuotas: quotaStores.localQuotas }
    : undefined;
  const stats = await openRequestStats(config, options.env, requestLog);
  const app = createApp({
    config,
    models,
    logger,
    apiKey,
    adminKey,
    keys,
    requestLog,
    stats,
    evidence: storage.evidence,
    classifier,
    feedback: storage.feedback,
    reloadRouter: () => reloadRouter('admin API'),
  });
  const address = await app.listen({ host: options.host, port: options.port });
  logger.info(
    {
      url: address,
      config: options.loaded.source,
      models: [...models.keys()],
      requestLog: storage.describe,
    },
    'switchyard listening',
  );
  // SIGHUP reloads the router's model files, as the admin API does.
  const onHangup = () => void reloadRouter('SIGHUP');
  process.on('SIGHUP', onHangup);
  let closing: Promise<void> | undefined;
  return {
    url: address,
    close() {
      closing ??= (async () => {
        process.off('SIGHUP', onHangup);
        const grace = setTimeout(() => app.server.closeAllConnections(), config.server.shutdownGraceMs);
        grace.unref();
        // server.close() drops only the keep-alive connections idle at that moment; one that finishes
        // its response later would hold shutdown open until the grace period, so sweep them as they go.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
        sweep.unref();
        // Stops accepting, then waits for in-flight requests (each records its row on the way out).
        await app.close();
        await stats?.close();
        clearTimeout(grace);
        clearInterval(sweep);
        await storage.close();
        await quotaStores?.close();
        await Promise.allSettled([...models.values()].map((model) => model.close()));
        // Last, and awaited: the process exits right after, and the shutdown's own lines must go out.
        await flushLogDestination(logDestination);
      })();
      return closing;
    },
  };
}

/** Entry point used by bin/switchyard.js. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const env = process.env;
  const dependencies: CliDependencies = {
    version: packageJson.version,
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    loadConfig: (file) => loadConfig({ ...(file ? { file } : {}), env }),
    startGateway: (options) => startGateway({ ...options, env }),
    createTaskClassifier,
    openTenantStore: (config) => openTenantStore(config, env),
    openOutcomeLogReader: (config) => openOutcomeLogReader(config, env),
    openEvidenceStore: (config) => openEvidenceStore(config, env),
    createChatModels: (config, names) => {
      const logger = pino({ level: 'warn' });
      const subset = {
        ...config,
        models: Object.fromEntries(names.map((name) => [name, config.models[name]])),
      } as SwitchyardConfig;
      return createChatModels(subset, env, createLoadReporter(process.stderr, logger));
    },
  };
  await runCli(argv, dependencies);
}
