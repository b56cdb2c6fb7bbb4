import type { SwitchyardConfigInput } from './switchyard-config-schema.js';

/**
 * The documented default small model: Qwen2.5-0.5B-Instruct, Q4_K_M (491,400,032 bytes, Apache-2.0).
 * Small enough for any laptop, instruction-tuned, with a chat template that supports tools.
 */
export const DEFAULT_SLM_MODEL = 'hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf';
export const DEFAULT_SLM_SHA256 = '74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db';

/**
 * The config used when no file is given: the embedded SLM alone, plus OpenAI's gpt-4o-mini when
 * OPENAI_API_KEY is set (with escalation, fallbacks and PII residency between the two). `SWITCHYARD_SLM_MODEL` swaps the GGUF (a path or an `hf:` reference).
 */
export function createDefaultConfigInput(env: NodeJS.ProcessEnv): SwitchyardConfigInput {
  const override = env.SWITCHYARD_SLM_MODEL?.trim();
  const model = override || DEFAULT_SLM_MODEL;
  const config: SwitchyardConfigInput = {
    models: {
      local: {
        provider: 'llama-cpp',
        model,
        ...(model === DEFAULT_SLM_MODEL ? { sha256: DEFAULT_SLM_SHA256 } : {}),
        contextSize: 4096,
      },
    },
    routing: { default: 'local', aliases: {} },
  };
  if (env.OPENAI_API_KEY) {
    config.models.cloud = {
      provider: 'openai-compatible',
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      apiKeyEnv: 'OPENAI_API_KEY',
    };
    // The hybrid default: the SLM serves; answers that are empty, invalid JSON or invalid tool
    // calls escalate (a confidence threshold is model-specific, so it is left to the user to set);
    // each side falls back to the other; PII never leaves the machine; savings are against the cloud.
    config.routing = {
      ...config.routing,
      escalation: { from: 'local', to: 'cloud' },
      fallbacks: { local: ['cloud'], cloud: ['local'] },
      residency: { pii: 'local' },
      baseline: 'cloud',
    };
  }
  return config;
}
