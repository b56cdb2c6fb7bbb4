import type { RequestFeatures } from '../../contract/index.js';

export type { RequestFeatures };

/** What a TaskClassifier says about a text. */
export interface TaskClassification {
  taskType: string;
  taskTypeProbability: number;
  complexity: number;
  intent?: string;
  inScope?: boolean;
  /** Hash of the model files that gave this classification. */
  routerModel?: string;
}

/** Classifies a request's text; the heuristic and the trained classifier both implement it. */
export interface TaskClassifier {
  classify(text: string): TaskClassification;
  /** Hash of the model files in use, where they can change while serving (a reload). */
  readonly modelHash?: string;
}
