import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { RoutingConfig } from './config/index.js';
import { StartupError } from './errors/index.js';
import {
  type TaskClassification,
  type TaskClassifier,
  TextClassifier,
  type TextClassifierFile,
  TrainedTaskClassifier,
} from './routing/index.js';
import type { RouterReload } from './server/index.js';

/** Where `npm run train:router` writes the shipped models (dist/ and src/ both sit beside models/). */
export const BUILTIN_ROUTER_MODELS = new URL('../models/router/', import.meta.url).pathname;

const BUILTIN_FILES = {
  taskType: 'task-type.json',
  complexity: 'strong-needed.json',
  inScope: 'in-scope.json',
} as const;

type Part = keyof typeof BUILTIN_FILES;

/** The models of one load, and the hash of what was read (the settings and each file's bytes). */
interface LoadedModels {
  classifier: TrainedTaskClassifier;
  hash: string;
}

function load(part: Part, setting: string, hash: ReturnType<typeof createHash>): TextClassifier | undefined {
  hash.update(`${part}=${setting}\n`);
  if (setting === 'heuristic' || setting === 'off') return undefined;
  const path = setting === 'builtin' ? `${BUILTIN_ROUTER_MODELS}${BUILTIN_FILES[part]}` : setting;
  if (!existsSync(path)) {
    throw new StartupError(
      `routing.classifier.${part}: model file ${path} not found${setting === 'builtin' ? ' (run npm run train:router)' : ''}.`,
    );
  }
  try {
    const bytes = readFileSync(path);
    hash.update(bytes);
    return new TextClassifier(JSON.parse(bytes.toString('utf8')) as TextClassifierFile);
  } catch (error) {
    throw new StartupError(
      `routing.classifier.${part}: cannot read router model ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads the models `routing.classifier` names. The in-scope model is loaded only when a rule asks
 * about `inScope` or `intent`: it is the largest of the three, and nothing else reads it.
 */
function loadModels(routing: RoutingConfig): LoadedModels {
  const { taskType, complexity, inScope } = routing.classifier;
  const needsScope = routing.rules.some(
    (rule) => rule.when.inScope !== undefined || rule.when.intent !== undefined,
  );
  const hash = createHash('sha256');
  const classifier = new TrainedTaskClassifier({
    taskType: load('taskType', taskType, hash),
    strongNeeded: load('complexity', complexity, hash),
    inScope: needsScope ? load('inScope', inScope, hash) : undefined,
  });
  return { classifier, hash: hash.digest('hex').slice(0, 16) };
}

/**
 * The router's classifier from `routing.classifier`, whose model files can be read again while the
 * gateway serves (`reload`, on SIGHUP or `POST /admin/v1/router/reload`). Every classification
 * carries the hash of the files that gave it, which the request log keeps (`scores.routerModel`).
 */
export class ReloadableTaskClassifier implements TaskClassifier {
  private current: LoadedModels;

  constructor(private readonly routing: RoutingConfig) {
    this.current = loadModels(routing);
  }

  /** sha256 (first 16 hex characters) of the settings and model files in use. */
  get modelHash(): string {
    return this.current.hash;
  }

  classify(text: string): TaskClassification {
    const { classifier, hash } = this.current;
    const classification = classifier.classify(text);
    classification.routerModel = hash;
    return classification;
  }

  /**
   * Reads the model files again. One that does not load is refused, and the models in use stay:
   * a bad file copied in place must not take routing down.
   */
  reload(): RouterReload {
    const previous = this.current.hash;
    try {
      this.current = loadModels(this.routing);
    } catch (error) {
      return { reloaded: false, modelHash: previous, error: (error as Error).message };
    }
    return { reloaded: true, modelHash: this.current.hash, previousModelHash: previous };
  }
}

/** The router's classifier as the gateway builds it; throws a StartupError naming a bad file. */
export function createTaskClassifier(routing: RoutingConfig): ReloadableTaskClassifier {
  return new ReloadableTaskClassifier(routing);
}
