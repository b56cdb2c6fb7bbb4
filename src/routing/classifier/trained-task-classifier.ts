import { HeuristicTaskClassifier } from '../features/heuristic-task-classifier.js';
import type { TaskClassification, TaskClassifier } from '../features/request-features.js';
import type { HasherFork } from './feature-hasher.js';
import { type FeatureSettings, hashAlike } from './feature-settings.js';
import { INSTRUCTION_READING, type InstructionReading, readInstructionLines } from './instruction-lines.js';
import { computeStrongNeed } from './strong-need.js';
import type { TextClassifier } from './text-classifier.js';

/** The longest text a model reads whole (a longer one it reads in part: `readPart`). */
function wholeReadLimit({ maxChars = 0, tailChars = 0 }: FeatureSettings): number {
  return maxChars > 0 ? maxChars + tailChars : Number.POSITIVE_INFINITY;
}

/**
 * The longest text for which a model with settings `b` can score the features extracted with
 * `a`: any text when their feature settings are equal; when they differ only in how much of a
 * long text they read, texts that both read whole (the same hashing either way); -1 when they
 * differ otherwise.
 */
export function sharedTextLength(a: FeatureSettings, b: FeatureSettings): number {
  if (!hashAlike(a, b)) return -1;
  if ((a.maxChars ?? 0) === (b.maxChars ?? 0) && (a.tailChars ?? 0) === (b.tailChars ?? 0))
    return Number.POSITIVE_INFINITY;
  return Math.min(wholeReadLimit(a), wholeReadLimit(b));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * The router's classifiers behind the TaskClassifier interface: task type, the strong-needed
 * score (read by rules as `complexity`) and, when given, intent with out-of-scope detection.
 * Models with the same feature settings share one hashing of the text (models that differ only in
 * how much of a long text they read share it for texts both read whole). A model left out falls
 * back to the documented heuristic for its part.
 */
export class TrainedTaskClassifier implements TaskClassifier {
  private readonly heuristic = new HeuristicTaskClassifier();
  private readonly taskProbabilities: Float64Array;
  private readonly strongProbabilities: Float64Array;
  private readonly scopeProbabilities: Float64Array;
  /** Per model, the longest text it scores from the task-type model's features (-1: never). */
  private readonly sharedWithTask: { strong: number; scope: number };
  /** For longer texts, the in-scope model's opening hashed in the task-type model's pass. */
  private readonly scopeFork: HasherFork | undefined;

  constructor(
    private readonly models: {
      taskType?: TextClassifier | undefined;
      strongNeeded?: TextClassifier | undefined;
      inScope?: TextClassifier | undefined;
    },
    private readonly instructionReading: InstructionReading = INSTRUCTION_READING,
  ) {
    this.taskProbabilities = new Float64Array(models.taskType?.labels.length ?? 0);
    this.strongProbabilities = new Float64Array(models.strongNeeded?.labels.length ?? 0);
    this.scopeProbabilities = new Float64Array(models.inScope?.labels.length ?? 0);
    const { taskType, strongNeeded, inScope } = models;
    this.sharedWithTask = {
      strong:
        taskType && strongNeeded ? sharedTextLength(taskType.file.features, strongNeeded.file.features) : -1,
      scope: taskType && inScope ? sharedTextLength(taskType.file.features, inScope.file.features) : -1,
    };
    this.scopeFork = taskType && inScope ? inScope.createForkFrom(taskType) : undefined;
  }

  classify(text: string): TaskClassification {
    const { taskType, strongNeeded, inScope } = this.models;
    const fallback = !taskType || !strongNeeded ? this.heuristic.classify(text) : undefined;
    const fork = inScope && text.length > this.sharedWithTask.scope ? this.scopeFork : undefined;
    const shared = taskType ? taskType.extractInto(text, undefined, fork) : undefined;
    let label = fallback?.taskType ?? 'other';
    let probability = fallback?.taskTypeProbability ?? 0;
    if (taskType && shared) {
      const best = taskType.predictFromFeatures(shared, this.taskProbabilities);
      label = taskType.labels[best] as string;
      probability = this.taskProbabilities[best] as number;
    }
    let complexity = fallback?.complexity ?? 0;
    if (strongNeeded) {
      if (shared && text.length <= this.sharedWithTask.strong)
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
        shared && text.length <= this.sharedWithTask.scope
          ? inScope.predictFromFeatures(shared, this.scopeProbabilities)
          : fork?.done
            ? inScope.predictFromFeatures(fork.out, this.scopeProbabilities)
            : inScope.predictInto(text, this.scopeProbabilities);
      const decided = inScope.decide(best, this.scopeProbabilities);
      const intent = inScope.labels[decided] as string;
      result.intent = intent;
      result.inScope = intent !== (inScope.file.outOfScope?.label ?? 'oos');
    }
    // Last: judging a line reuses the task-type model's feature buffer, which `shared` is, and its
    // probabilities, whose whole-prompt label and probability were read above.
    if (taskType && text.length > this.instructionReading.minTextChars) {
      const instruction = this.readInstruction(taskType, text);
      if (instruction) {
        result.taskType = instruction.label;
        result.taskTypeProbability = round(instruction.probability);
      }
    }
    return result;
  }

  /**
   * The task a long prompt's first or last line asks for, judged alone (`instruction-lines.ts`):
   * the more confident of the two lines that read as a task asked of a text, if any does.
   */
  private readInstruction(
    taskType: TextClassifier,
    text: string,
  ): { label: string; probability: number } | undefined {
    const { maxLineChars, minProbability, wholeMessageTasks } = this.instructionReading;
    let found: { label: string; probability: number } | undefined;
    for (const line of readInstructionLines(text, maxLineChars)) {
      const best = taskType.predictInto(line, this.taskProbabilities);
      const label = taskType.labels[best] as string;
      const probability = this.taskProbabilities[best] as number;
      if (wholeMessageTasks.has(label) || probability < minProbability) continue;
      if (!found || probability > found.probability) found = { label, probability };
    }
    return found;
  }
}
