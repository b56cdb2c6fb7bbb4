import type { LlamaCppModelConfig, ModelConfig, SwitchyardConfig } from './config/index.js';
import type { ChatModel } from './contract/index.js';
import { StartupError } from './errors/index.js';
import { AnthropicChatModel } from './providers/anthropic/index.js';
import { OpenAICompatibleChatModel } from './providers/openai-compatible/index.js';

export interface ModelLoadReporter {
  /** Download progress of an `hf:` model, 0..1. */
  progress(name: string, fraction: number, totalBytes: number): void;
  loaded(model: ChatModel, detail: string): void;
}

async function loadLlamaCppModel(
  name: string,
  config: LlamaCppModelConfig,
  env: NodeJS.ProcessEnv,
  reporter: ModelLoadReporter,
): Promise<ChatModel> {
  // Imported on demand: node-llama-cpp takes noticeable memory once loaded, which a gateway serving
  // only HTTP backends should not pay.
  const { isRemoteModelReference, LlamaCppChatModel, resolveGgufFile, resolveModelCacheDir } = await import(
    './providers/llama-cpp/index.js'
  );
  const remote = isRemoteModelReference(config.model);
  let modelPath: string;
  try {
    modelPath = await resolveGgufFile({
      reference: config.model,
      sha256: config.sha256,
      cacheDir: resolveModelCacheDir(config.cacheDir, env),
      onProgress: ({ downloadedSize, totalSize }) =>
        reporter.progress(name, totalSize > 0 ? downloadedSize / totalSize : 0, totalSize),
    });
  } catch (error) {
    const reason = (error as Error).message?.split('\n')[0] ?? String(error);
    throw new StartupError(
      remote
        ? `Could not download model '${name}' (${config.model}): ${reason}. If this machine is offline, point Switchyard at a local GGUF file: SWITCHYARD_SLM_MODEL=/path/to/model.gguf switchyard serve, or set models.${name}.model in a config file.`
        : `Could not use model '${name}' (${config.model}): ${reason}. Set models.${name}.model to an existing GGUF file or an hf:<user>/<repo>/<file>.gguf reference.`,
      { cause: error },
    );
  }
  try {
    const model = await LlamaCppChatModel.load({ name, config, modelPath });
    reporter.loaded(model, `${modelPath}, ${model.threads} threads, chat template ${model.chatTemplateName}`);
    return model;
  } catch (error) {
    throw new StartupError(`Could not load model '${name}' from ${modelPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The composition of providers: the one place that names concrete backends. */
export async function createChatModel(
  name: string,
  config: ModelConfig,
  env: NodeJS.ProcessEnv,
  reporter: ModelLoadReporter,
): Promise<ChatModel> {
  switch (config.provider) {
    case 'llama-cpp':
      return loadLlamaCppModel(name, config, env, reporter);
    case 'openai-compatible':
      return new OpenAICompatibleChatModel({ name, config, env });
    case 'anthropic':
      return new AnthropicChatModel({ name, config, env });
  }
}

/** Creates every configured model; on failure, closes those already created. */
export async function createChatModels(
  config: SwitchyardConfig,
  env: NodeJS.ProcessEnv,
  reporter: ModelLoadReporter,
): Promise<Map<string, ChatModel>> {
  const models = new Map<string, ChatModel>();
  try {
    for (const [name, modelConfig] of Object.entries(config.models)) {
      models.set(name, await createChatModel(name, modelConfig, env, reporter));
    }
  } catch (error) {
    await Promise.allSettled([...models.values()].map((model) => model.close()));
    throw error;
  }
  return models;
}
