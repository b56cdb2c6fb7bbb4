/** Kinds of personal data the router detects and confirms. */
export type PiiKind = 'email' | 'phone' | 'payment-card' | 'iban' | 'us-ssn' | 'es-dni' | 'ip-address';

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
  /** The in-scope model's intent label, when that model is loaded. */
  intent?: string;
  /** False when the in-scope model judges the request out of scope for the domain it knows. */
  inScope?: boolean;
  /** Hash of the router model files that classified the request (they can be reloaded). */
  routerModel?: string;
  /** The model name the client sent. */
  requestedModel: string;
  metadata: Record<string, string>;
}
