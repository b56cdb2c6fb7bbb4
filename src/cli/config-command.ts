import type { Command } from 'commander';
import { stringify } from 'yaml';
import { maskConfig } from '../config/index.js';
import type { CliDependencies } from './cli-dependencies.js';

export function registerConfigCommand(program: Command, dependencies: CliDependencies): void {
  const config = program.command('config').description('Inspect configuration.');
  config
    .command('check')
    .argument('[file]', 'config file (default: SWITCHYARD_CONFIG, else the built-in default)')
    .description('Validate a config file and print the effective config with secrets masked.')
    .action(async (file: string | undefined) => {
      const loaded = await dependencies.loadConfig(file);
      dependencies.stdout.write(`# ${loaded.source}: valid\n`);
      dependencies.stdout.write(stringify(maskConfig(loaded.config, dependencies.env)));
    });
}
