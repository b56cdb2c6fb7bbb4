import { HeuristicTaskClassifier } from '../features/heuristic-task-classifier.js';
import type { TaskClassification, TaskClassifier } from '../features/request-features.js';
import { computeStrongNeed } from './strong-need.js';
import type { TextClassifier } from './text-classifier.js';

function sameFeatures(a: TextClassifier, b: TextClassifier): boolean {
  return JSON.stringify(a.file.features) === JSON.stringify(b.file.features);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * The router's classifiers behind the TaskClassifier interface: task type, the strong-needed
 * score (read by rules as `complexity`) and, when given, intent with out-of-scope detection.
 * Models with the same feature settings share one hashing of the text. A model left out falls
 * back to the documented heuristic for its part.
 */
export class TrainedTaskClassifier implements TaskClassifier {
  private readonly heuristic = new HeuristicTaskClassifier();
  private readonly taskProbabilities: Float64Array;
  private readonly strongProbabilities: Float64Array;
  private readonly scopeProbabilities: Float64Array;
  private readonly shareWithTask: { strong: boolean; scope: boolean };

  constructor(
    private readonly models: {
      taskType?: TextClassifier | undefined;
      strongNeeded?: TextClassifier | undefined;
      inScope?: TextClassifier | undefined;
    },
  ) {
    this.taskProbabilities = new Float64Array(models.taskType?.labels.length ?? 0);
    this.strongProbabilities = new Float64Array(models.strongNeeded?.labels.length ?? 0);
    this.scopeProbabilities = new Float64Array(models.inScope?.labels.length ?? 0);
    const { taskType, strongNeeded, inScope } = models;
    this.shareWithTask = {
      strong: Boolean(taskType && strongNeeded && sameFeatures(taskType, strongNeeded)),
      scope: Boolean(taskType && inScope && sameFeatures(taskType, inScope)),
    };
  }

  classify(text: string): TaskClassification {
    const { taskType, strongNeeded, inScope } = this.models;
    const fallback = !taskType || !strongNeeded ? this.heuristic.classify(text) : undefined;
    const shared = taskType ? taskType.extractInto(text) : undefined;
    let label = fallback?.taskType ?? 'other';
    let probability = fallback?.taskTypeProbability ?? 0;
    if (taskType && shared) {
      const best = taskType.predictFromFeatures(shared, this.taskProbabilities);
      label = taskType.labels[best] as string;
      probability = this.taskProbabilities[best] as number;
    }
    let complexity = fallback?.complexity ?? 0;
    if (strongNeeded) {
      if (this.shareWithTask.strong && shared)
        strongNeeded.predictFromFeatures(shared, this.strongProbabilities);
      else strongNeeded.predictInto(text, this.strongProbabilities);
      complexity = computeStrongNeed(strongNeeded.labels, this.strongProbabilities);
    }
    const result: TaskClassification = {
      taskType: label,
      taskTypeProbability: round(probability),
      complexity: round(complexity),
    };
    if (inScope) {
      const best =
        this.shareWithTask.scope && shared
          ? inScope.predictFromFeatures(shared, this.scopeProbabilities)
          : inScope.predictInto(text, this.scopeProbabilities);
      const decided = inScope.decide(best, this.scopeProbabilities);
      const intent = inScope.labels[decided] as string;
      result.intent = intent;
      result.inScope = intent !== (inScope.file.outOfScope?.label ?? 'oos');
    }
    return result;
  }
}
