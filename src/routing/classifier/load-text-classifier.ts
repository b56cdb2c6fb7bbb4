import { readFileSync } from 'node:fs';
import { TextClassifier, type TextClassifierFile } from './text-classifier.js';

/** Reads a model file written by `switchyard router train`. */
export function loadTextClassifier(path: string): TextClassifier {
  let file: TextClassifierFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as TextClassifierFile;
  } catch (error) {
    throw new Error(`cannot read router model ${path}: ${(error as Error).message}`, { cause: error });
  }
  return new TextClassifier(file);
}
