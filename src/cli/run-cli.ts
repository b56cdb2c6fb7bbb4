import { ConfigError, isGatewayError, StartupError, UsageError } from '../errors/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { createProgram } from './create-program.js';

/**
 * Runs the CLI. Problems the user can fix (bad config, missing model) print as plain sentences
 * and exit 1; anything else is a bug and prints its stack.
 */
export async function runCli(argv: string[], dependencies: CliDependencies): Promise<void> {
  try {
    await createProgram(dependencies).parseAsync(argv);
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof StartupError ||
      error instanceof UsageError ||
      isGatewayError(error)
    ) {
      dependencies.stderr.write(`${error.message}\n`);
    } else {
      dependencies.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exitCode = 1;
  }
}
