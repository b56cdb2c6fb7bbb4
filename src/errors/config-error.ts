/** One problem in a config file, located by its dotted path (`routing.aliases.gpt-4o`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The configuration is invalid; not an HTTP error, it stops start-up. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(options: { source: string; issues: ConfigIssue[] }) {
    const lines = options.issues.map((issue) => `  ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    super(`Invalid configuration in ${options.source}:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = options.issues;
  }
}
