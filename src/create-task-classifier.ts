import { existsSync } from 'node:fs';
import type { RoutingConfig } from './config/index.js';
import { StartupError } from './errors/index.js';
import {
  loadTextClassifier,
  type TaskClassifier,
  type TextClassifier,
  TrainedTaskClassifier,
} from './routing/index.js';

/** Where `npm run train:router` writes the shipped models (dist/ and src/ both sit beside models/). */
export const BUILTIN_ROUTER_MODELS = new URL('../models/router/', import.meta.url).pathname;

const BUILTIN_FILES = {
  taskType: 'task-type.json',
  complexity: 'strong-needed.json',
  inScope: 'in-scope.json',
} as const;

function load(part: keyof typeof BUILTIN_FILES, setting: string): TextClassifier | undefined {
  if (setting === 'heuristic' || setting === 'off') return undefined;
  const path = setting === 'builtin' ? `${BUILTIN_ROUTER_MODELS}${BUILTIN_FILES[part]}` : setting;
  if (!existsSync(path)) {
    throw new StartupError(
      `routing.classifier.${part}: model file ${path} not found${setting === 'builtin' ? ' (run npm run train:router)' : ''}.`,
    );
  }
  try {
    return loadTextClassifier(path);
  } catch (error) {
    throw new StartupError(`routing.classifier.${part}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The router's classifier from `routing.classifier`. The in-scope model is loaded only when a rule
 * asks about `inScope` or `intent`: it is the largest of the three, and nothing else reads it.
 */
export function createTaskClassifier(routing: RoutingConfig): TaskClassifier {
  const { taskType, complexity, inScope } = routing.classifier;
  const needsScope = routing.rules.some(
    (rule) => rule.when.inScope !== undefined || rule.when.intent !== undefined,
  );
  return new TrainedTaskClassifier({
    taskType: load('taskType', taskType),
    strongNeeded: load('complexity', complexity),
    inScope: needsScope ? load('inScope', inScope) : undefined,
  });
}
