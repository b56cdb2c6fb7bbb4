import type { LoadedConfig, RoutingConfig, SwitchyardConfig } from '../config/index.js';
import type { ChatModel } from '../contract/index.js';
import type { TaskClassifier } from '../routing/index.js';
import type { EvidenceStore, OutcomeLogReader, TenantStore } from '../storage/index.js';

export interface RunningGateway {
  /** The URL clients use, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stops accepting, lets in-flight requests finish, closes models. */
  close(): Promise<void>;
}

/** What the CLI needs from the composition root; keeps concrete providers out of cli/. */
export interface CliDependencies {
  version: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  loadConfig(file: string | undefined): Promise<LoadedConfig>;
  startGateway(options: { loaded: LoadedConfig; host: string; port: number }): Promise<RunningGateway>;
  /** The router's classifier as the gateway would build it from `routing.classifier`. */
  createTaskClassifier(routing: RoutingConfig): TaskClassifier;
  /** The store of tenants and keys the config names (the request log's database). */
  openTenantStore(config: SwitchyardConfig): Promise<TenantStore>;
  /** The request log the config names, read back for learning (router training, fine-tuning data). */
  openOutcomeLogReader(config: SwitchyardConfig): Promise<OutcomeLogReader>;
  /** The store of shadow pairs and rollouts the config names (the request log's database). */
  openEvidenceStore(config: SwitchyardConfig): Promise<EvidenceStore>;
  /** Creates (and for the embedded backend, loads) the named models of a config. */
  createChatModels(config: SwitchyardConfig, names: string[]): Promise<Map<string, ChatModel>>;
}
