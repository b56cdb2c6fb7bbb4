// Writes the random-weight GGUFs of the given shapes (if missing) into the OS temp folder and
// prints their paths, one a line: the files every script in bench/slm measures.
// Run: node --import tsx bench/slm/write-models.ts 0.5b,1.5b
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HALF_BILLION,
  ONE_AND_A_HALF_BILLION,
  type RandomModelShape,
  writeRandomGguf,
} from './write-random-gguf.js';

export const SHAPES: Record<string, RandomModelShape> = {
  '0.5b': HALF_BILLION,
  '1.5b': ONE_AND_A_HALF_BILLION,
};

/** The file for a shape, written on first use: speed does not depend on weight values. */
export function modelFile(shapeName: string): string {
  const shape = SHAPES[shapeName];
  if (!shape) throw new Error(`unknown shape ${shapeName} (known: ${Object.keys(SHAPES).join(', ')})`);
  const folder = join(tmpdir(), 'switchyard-bench');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `random-llama-${shapeName}-q8_0.gguf`);
  if (!existsSync(file)) writeRandomGguf(file, shape);
  return file;
}

if (/write-models|bench-slm-models/.test(process.argv[1] ?? '')) {
  for (const shape of (process.argv[2] ?? '0.5b').split(',')) console.log(modelFile(shape));
}
