import { Command } from 'commander';
import { registerAuditCommand } from './audit-command.js';
import { registerBenchCommand } from './bench-command.js';
import type { CliDependencies } from './cli-dependencies.js';
import { registerConfigCommand } from './config-command.js';
import { registerExportCommand } from './export-command.js';
import { registerMemoryCommand } from './memory-command.js';
import { registerMigrationLoopCommands } from './migration-loop-commands.js';
import { registerRoiCommand } from './roi-command.js';
import { registerRouterCommand } from './router-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerTenantCommands } from './tenant-commands.js';

/** The `switchyard` command line. Commands stay thin: parse flags, call in, print. */
export function createProgram(dependencies: CliDependencies): Command {
  const program = new Command('switchyard')
    .description('SLM-first hybrid LLM gateway with an OpenAI-compatible API.')
    .version(dependencies.version)
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => dependencies.stdout.write(text),
      writeErr: (text) => dependencies.stderr.write(text),
    });
  registerServeCommand(program, dependencies);
  registerConfigCommand(program, dependencies);
  registerRouterCommand(program, dependencies);
  registerRoiCommand(program, dependencies);
  registerMemoryCommand(program, dependencies);
  registerAuditCommand(program, dependencies);
  registerBenchCommand(program, dependencies);
  registerTenantCommands(program, dependencies);
  registerExportCommand(program, dependencies);
  registerMigrationLoopCommands(program, dependencies);
  return program;
}
