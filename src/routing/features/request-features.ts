import type { PiiKind } from './detect-pii.js';

/** What the router knows about a request before any model sees it. */
export interface RequestFeatures {
  inputTokens: number;
  taskType: string;
  /** The classifier's probability for `taskType`. */
  taskTypeProbability: number;
  /** Probability that the request needs the strong model, 0..1 (read by rules as `complexity`). */
  complexity: number;
  piiKinds: PiiKind[];
  hasTools: boolean;
  responseFormat: 'text' | 'json_object' | 'json_schema';
  /** The model name the client sent. */
  requestedModel: string;
  metadata: Record<string, string>;
}

/** Classifies a request's text; the heuristic and the trained classifier both implement it. */
export interface TaskClassifier {
  classify(text: string): { taskType: string; taskTypeProbability: number; complexity: number };
}
