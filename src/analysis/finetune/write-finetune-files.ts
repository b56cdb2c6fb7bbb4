import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import {
  type FinetuneCounts,
  type FinetuneExample,
  type FinetuneFormat,
  formatFinetuneLine,
} from './build-finetune-dataset.js';

/** What a dataset was made from and what it holds, written beside it. */
export interface FinetuneManifest {
  format: FinetuneFormat;
  createdAt: string;
  /** The filters the command was given, as given. */
  filters: Record<string, unknown>;
  files: {
    train: { path: string; examples: number; sha256: string };
    validation: { path: string; examples: number; sha256: string };
  };
  /** Examples per task type, in each file. */
  byTaskType: { train: Record<string, number>; validation: Record<string, number> };
  counts: FinetuneCounts;
  /** sha256 of the training file's bytes followed by the validation file's: one id for the dataset. */
  contentSha256: string;
}

/** `data.jsonl` → its validation file and manifest beside it: `data.validation.jsonl`, `data.manifest.json`. */
export function describeFinetunePaths(out: string): { train: string; validation: string; manifest: string } {
  const base = out.endsWith('.jsonl') ? out.slice(0, -'.jsonl'.length) : out;
  return { train: out, validation: `${base}.validation.jsonl`, manifest: `${base}.manifest.json` };
}

function countTaskTypes(examples: readonly FinetuneExample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const example of examples) counts[example.taskType] = (counts[example.taskType] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes the training and validation JSONL files and the manifest; returns the manifest. */
export async function writeFinetuneFiles(
  examples: readonly FinetuneExample[],
  counts: FinetuneCounts,
  options: { out: string; format: FinetuneFormat; filters: Record<string, unknown>; now?: number },
): Promise<FinetuneManifest> {
  const paths = describeFinetunePaths(options.out);
  const train = examples.filter((example) => example.split === 'train');
  const validation = examples.filter((example) => example.split === 'validation');
  const text = (part: readonly FinetuneExample[]) =>
    part.map((example) => `${formatFinetuneLine(example, options.format)}\n`).join('');
  const trainText = text(train);
  const validationText = text(validation);
  const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
  await writeFile(paths.train, trainText);
  await writeFile(paths.validation, validationText);
  const manifest: FinetuneManifest = {
    format: options.format,
    createdAt: new Date(options.now ?? Date.now()).toISOString(),
    filters: options.filters,
    files: {
      train: { path: paths.train, examples: train.length, sha256: sha256(trainText) },
      validation: { path: paths.validation, examples: validation.length, sha256: sha256(validationText) },
    },
    byTaskType: { train: countTaskTypes(train), validation: countTaskTypes(validation) },
    counts,
    contentSha256: sha256(trainText + validationText),
  };
  await writeFile(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
