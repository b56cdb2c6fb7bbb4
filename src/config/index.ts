export type { AnthropicModelConfig } from './anthropic-model-schema.js';
export type { AuthConfig } from './auth-schema.js';
export { AUTO_MODEL, checkConfigReferences } from './check-config-references.js';
export { computeConfigHash } from './compute-config-hash.js';
export { createDefaultConfigInput, DEFAULT_SLM_MODEL, DEFAULT_SLM_SHA256 } from './default-config.js';
export type { EscalationConfig } from './escalation-schema.js';
export type { FeedbackConfig, FeedbackMetricConfig } from './feedback-schema.js';
export type { LlamaCppModelConfig } from './llama-cpp-model-schema.js';
export { type LoadedConfig, loadConfig, parseConfig, parseConfigText } from './load-config.js';
export { maskConfig } from './mask-config.js';
export {
  type RolloutConfig,
  type RolloutControllerConfig,
  readRolloutId,
  type ShadowConfig,
} from './migration-loop-schema.js';
export { isLocalModelConfig, type ModelConfig } from './model-schema.js';
export type { OpenAICompatibleModelConfig } from './openai-compatible-model-schema.js';
export type { PriceConfig, TokenPrice } from './price-schema.js';
export type { CircuitBreakerConfig, RetriesConfig } from './resilience-schema.js';
export type { NumberCondition, RoutingRule, RuleCondition } from './routing-rule-schema.js';
export type { RoutingConfig } from './routing-schema.js';
export type { ServerConfig } from './server-schema.js';
export type { StateConfig } from './state-schema.js';
export type { ContentLogging, StorageConfig } from './storage-schema.js';
export {
  type SwitchyardConfig,
  type SwitchyardConfigInput,
  switchyardConfigSchema,
} from './switchyard-config-schema.js';
export type { TimeoutsConfig } from './timeouts-schema.js';
