import { createHash } from 'node:crypto';
import type { TrainingExample } from './training-example.js';

/** sha256 of the examples as the model saw them. */
export function hashExamples(examples: readonly TrainingExample[]): string {
  const hash = createHash('sha256');
  for (const example of examples) {
    hash.update(JSON.stringify([example.text, example.categories ?? [], example.label]));
    hash.update('\n');
  }
  return hash.digest('hex');
}
