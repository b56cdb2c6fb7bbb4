export type { CliDependencies, RunningGateway } from './cli-dependencies.js';
export { createProgram } from './create-program.js';
export { runCli } from './run-cli.js';
