import type { Logger } from 'pino';
import type { SwitchyardConfig } from './config/index.js';
import { StartupError } from './errors/index.js';
import {
  type EvidenceStore,
  type FeedbackStore,
  type OutcomeLogReader,
  PostgresEvidenceStore,
  PostgresFeedbackStore,
  PostgresOutcomeLogReader,
  PostgresRequestLog,
  PostgresTenantStore,
  type RequestLog,
  SqliteEvidenceStore,
  SqliteFeedbackStore,
  SqliteOutcomeLogReader,
  SqliteRequestLog,
  SqliteTenantStore,
  type TenantStore,
} from './storage/index.js';

/** The gateway's stores: the request log (none when `off`) and the tenants and keys beside it. */
export interface Storage {
  requestLog: RequestLog | undefined;
  tenants: TenantStore;
  /** Feedback on logged answers (none when the log is off). */
  feedback: FeedbackStore | undefined;
  /** Shadow pairs and rollout state, beside the log (none when the log is off). */
  evidence: EvidenceStore | undefined;
  /** Where rows go, for the start-up line: a file path, `postgres` or `off`. */
  describe: string;
  /** Writes what the log has queued, then releases both stores. */
  close(): Promise<void>;
}

function readDatabaseUrl(config: SwitchyardConfig, env: NodeJS.ProcessEnv): string {
  const name = config.storage.postgres.urlEnv;
  const url = env[name];
  if (!url) {
    throw new StartupError(
      `storage.requestLog is postgres, but the environment variable ${name} (storage.postgres.urlEnv) is not set.`,
    );
  }
  return url;
}

async function openOrExplain<T>(what: string, open: () => Promise<T> | T): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(`Could not open the ${what}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Opens the stores `config.storage` names. With SQLite, one connection serves both (the tenant
 * store writes between two of the log's batches); with Postgres, each has its own small pool.
 */
export async function openStorage(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<Storage> {
  const { storage } = config;
  const options = {
    batchSize: storage.batchSize,
    flushIntervalMs: storage.flushIntervalMs,
    onError: (error: unknown, lostRows: number) =>
      logger.error({ err: error, lostRows }, 'request log write failed'),
  };
  if (storage.requestLog === 'postgres') {
    const url = readDatabaseUrl(config, env);
    const requestLog = await openOrExplain('request log', () => PostgresRequestLog.open({ ...options, url }));
    const tenants = await openOrExplain('tenant store', () => PostgresTenantStore.open({ url })).catch(
      async (error: unknown) => {
        await requestLog.close();
        throw error;
      },
    );
    const evidence = await openOrExplain('evidence store', () => PostgresEvidenceStore.open({ url })).catch(
      async (error: unknown) => {
        await Promise.all([requestLog.close(), tenants.close()]);
        throw error;
      },
    );
    const feedback = await openOrExplain('feedback store', () => PostgresFeedbackStore.open({ url })).catch(
      async (error: unknown) => {
        await Promise.all([requestLog.close(), tenants.close()]);
        throw error;
      },
    );
    return {
      requestLog,
      tenants,
      feedback,
      evidence,
      describe: 'postgres',
      async close() {
        await Promise.all([requestLog.close(), tenants.close(), evidence.close(), feedback.close()]);
      },
    };
  }
  const path = storage.sqlite.path;
  if (storage.requestLog === 'off') {
    const tenants = await openOrExplain('tenant store', () => new SqliteTenantStore({ path }));
    return {
      requestLog: undefined,
      tenants,
      feedback: undefined,
      evidence: undefined,
      describe: 'off',
      close: () => tenants.close(),
    };
  }
  const requestLog = await openOrExplain('request log', () => new SqliteRequestLog({ path, ...options }));
  const tenants = new SqliteTenantStore({ requestLog });
  return {
    requestLog,
    tenants,
    feedback: new SqliteFeedbackStore({ requestLog }),
    evidence: new SqliteEvidenceStore(requestLog),
    describe: path,
    async close() {
      await tenants.close();
      await requestLog.close();
    },
  };
}

/**
 * The tenant store alone, for the CLI beside a running gateway: its own connection to the file or
 * database the config names.
 */
export async function openTenantStore(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
): Promise<TenantStore> {
  if (config.storage.requestLog === 'postgres') {
    const url = readDatabaseUrl(config, env);
    return openOrExplain('tenant store', () => PostgresTenantStore.open({ url, maxConnections: 1 }));
  }
  return openOrExplain('tenant store', () => new SqliteTenantStore({ path: config.storage.sqlite.path }));
}

/**
 * The evidence store alone (shadow pairs, rollouts), for the CLI beside a running gateway: its own
 * connection to the file or database the config names.
 */
export async function openEvidenceStore(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
): Promise<EvidenceStore> {
  if (config.storage.requestLog === 'off') {
    throw new StartupError(
      'Shadow pairs and rollouts are kept beside the request log, and storage.requestLog is off.',
    );
  }
  if (config.storage.requestLog === 'postgres') {
    const url = readDatabaseUrl(config, env);
    return openOrExplain('evidence store', () => PostgresEvidenceStore.open({ url, maxConnections: 1 }));
  }
  const requestLog = await openOrExplain(
    'request log',
    () =>
      new SqliteRequestLog({
        path: config.storage.sqlite.path,
        batchSize: 1,
        flushIntervalMs: 1_000,
        onError: () => {},
      }),
  );
  const evidence = new SqliteEvidenceStore(requestLog);
  const close = evidence.close.bind(evidence);
  evidence.close = async () => {
    await close();
    await requestLog.close();
  };
  return evidence;
}

/**
 * The request log read back for learning (`router train --from-log`, `export finetune`): its own
 * connection to the file or database the config names.
 */
export async function openOutcomeLogReader(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
): Promise<OutcomeLogReader> {
  if (config.storage.requestLog === 'off')
    throw new StartupError('storage.requestLog is off: there is no request log to learn from.');
  if (config.storage.requestLog === 'postgres') {
    const url = readDatabaseUrl(config, env);
    return openOrExplain('request log', () => PostgresOutcomeLogReader.open({ url }));
  }
  return openOrExplain('request log', () => new SqliteOutcomeLogReader({ path: config.storage.sqlite.path }));
}
