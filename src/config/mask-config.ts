import type { SwitchyardConfig } from './switchyard-config-schema.js';

/**
 * A copy of the config safe to print: header values and URL credentials hidden, and each
 * `apiKeyEnv` annotated with whether the variable is set (never its value).
 */
export function maskConfig(config: SwitchyardConfig, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const models: Record<string, unknown> = {};
  for (const [name, model] of Object.entries(config.models)) {
    const masked: Record<string, unknown> = { ...model };
    if ('headers' in model && model.headers) {
      masked.headers = Object.fromEntries(Object.keys(model.headers).map((key) => [key, '***']));
    }
    if ('baseUrl' in model) masked.baseUrl = maskUrlCredentials(model.baseUrl);
    if ('apiKeyEnv' in model && model.apiKeyEnv) {
      masked.apiKeyEnv = `${model.apiKeyEnv} (${env[model.apiKeyEnv] ? 'set' : 'NOT SET'})`;
    }
    models[name] = masked;
  }
  const server: Record<string, unknown> = { ...config.server };
  if (config.server.apiKeyEnv) {
    server.apiKeyEnv = `${config.server.apiKeyEnv} (${env[config.server.apiKeyEnv] ? 'set' : 'NOT SET'})`;
  }
  return { ...config, models, server };
}

function maskUrlCredentials(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '***';
  parsed.password = '';
  return parsed.toString();
}
