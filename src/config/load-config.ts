import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors/index.js';
import { checkConfigReferences } from './check-config-references.js';
import { createDefaultConfigInput } from './default-config.js';
import { convertZodIssues } from './format-config-issues.js';
import { type SwitchyardConfig, switchyardConfigSchema } from './switchyard-config-schema.js';

export interface LoadedConfig {
  config: SwitchyardConfig;
  /** The file it came from, or `built-in default`. */
  source: string;
}

/** Validates a parsed config object: schema first, then cross-references. Throws ConfigError. */
export function parseConfig(input: unknown, source: string): SwitchyardConfig {
  const parsed = switchyardConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError({ source, issues: convertZodIssues(parsed.error.issues) });
  const referenceIssues = checkConfigReferences(parsed.data);
  if (referenceIssues.length > 0) throw new ConfigError({ source, issues: referenceIssues });
  return parsed.data;
}

/** Parses YAML text, reporting syntax errors with their line and column. */
export function parseConfigText(text: string, source: string): SwitchyardConfig {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues: ConfigIssue[] = document.errors.map((error) => {
      const position = error.linePos?.[0];
      const where = position ? `line ${position.line}, column ${position.col}` : '';
      const firstLine = error.message.split('\n')[0] ?? error.message;
      return { path: where, message: firstLine.replace(/ at line \d+, column \d+:?$/, '') };
    });
    throw new ConfigError({ source, issues });
  }
  return parseConfig(document.toJS() ?? {}, source);
}

/** Loads `file`, or `SWITCHYARD_CONFIG`, or the built-in default when neither is set. */
export async function loadConfig(options: { file?: string; env: NodeJS.ProcessEnv }): Promise<LoadedConfig> {
  const file = options.file ?? options.env.SWITCHYARD_CONFIG;
  if (!file) {
    const source = 'built-in default';
    return { config: parseConfig(createDefaultConfigInput(options.env), source), source };
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError({ source: file, issues: [{ path: '', message: reason }] });
  }
  return { config: parseConfigText(text, file), source: file };
}
