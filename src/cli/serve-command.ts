import type { Command } from 'commander';
import { StartupError } from '../errors/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { parsePort } from './parse-port.js';

interface ServeOptions {
  config?: string;
  port?: number;
  host?: string;
}

export function registerServeCommand(program: Command, dependencies: CliDependencies): void {
  program
    .command('serve')
    .description('Start the gateway (embedded SLM by default).')
    .option('-c, --config <file>', 'config file (env: SWITCHYARD_CONFIG; default: built-in embedded SLM)')
    .option(
      '-p, --port <number>',
      'port to listen on (env: SWITCHYARD_PORT; default: server.port or 8080)',
      parsePort,
    )
    .option('-H, --host <host>', 'address to bind (env: SWITCHYARD_HOST; default: server.host or 127.0.0.1)')
    .action(async (options: ServeOptions) => {
      const { env } = dependencies;
      const loaded = await dependencies.loadConfig(options.config);
      const port =
        options.port ?? (env.SWITCHYARD_PORT ? parseEnvPort(env.SWITCHYARD_PORT) : loaded.config.server.port);
      const host = options.host ?? env.SWITCHYARD_HOST ?? loaded.config.server.host;
      const gateway = await dependencies.startGateway({ loaded, host, port });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        dependencies.stderr.write(`Received ${signal}: finishing in-flight requests, then exiting.\n`);
        gateway.close().then(
          () => process.exit(0),
          (error: unknown) => {
            dependencies.stderr.write(`Shutdown failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}

function parseEnvPort(value: string): number {
  try {
    return parsePort(value);
  } catch (error) {
    throw new StartupError(`SWITCHYARD_PORT='${value}': ${(error as Error).message}`);
  }
}
