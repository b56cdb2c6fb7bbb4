import { readFile } from 'node:fs/promises';
import { labelOutcome } from './label-outcome.js';
import { parseCsv } from './parse-csv.js';
import type { TrainingExample } from './training-example.js';

export type RouterDataFormat = 'outcomes' | 'banking77' | 'clinc150' | 'bitext';
export const ROUTER_DATA_FORMATS: readonly RouterDataFormat[] = [
  'outcomes',
  'banking77',
  'clinc150',
  'bitext',
];

/** One prompt of outcome data: whether each model answered it correctly. */
export interface OutcomeRow {
  prompt: string;
  subject?: string;
  weakCorrect: boolean;
  strongCorrect: boolean;
  /** The weak model's answer, when the data carries it (for cascade evaluation). */
  weakResponse?: string;
}

export interface OutcomeData {
  kind: 'outcomes';
  weakModel: string;
  strongModel: string;
  rows: OutcomeRow[];
}

export interface IntentData {
  kind: 'intent';
  examples: TrainingExample[];
  /** The label that marks out-of-scope rows, when the data has them. */
  outOfScopeLabel?: string;
  /** CLINC150: the keys the examples came from. */
  splits?: string[];
}

/** What data is read for: a file's test splits are held out of training and are what is measured. */
export type DataPurpose = 'train' | 'eval';

function parseBoolean(value: string | undefined): boolean | undefined {
  const text = value?.trim().toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  return undefined;
}

/**
 * Outcome CSV: `prompt`, optional `subject`, one True/False column per model and optional
 * `<model>_response` columns. With two model columns, the one with the lower accuracy is the weak
 * model unless `weak`/`strong` name them.
 */
export function readOutcomes(text: string, options: { weak?: string; strong?: string } = {}): OutcomeData {
  const records = parseCsv(text);
  const first = records[0];
  if (!first || !('prompt' in first)) throw new Error('outcome data needs a header with a "prompt" column');
  const modelColumns = Object.keys(first).filter(
    (name) =>
      name !== 'prompt' &&
      name !== 'subject' &&
      !name.endsWith('_response') &&
      parseBoolean(first[name]) !== undefined,
  );
  const accuracy = (column: string) =>
    records.reduce((sum, record) => sum + (parseBoolean(record[column]) ? 1 : 0), 0) / records.length;
  let weakModel = options.weak;
  let strongModel = options.strong;
  if (!weakModel || !strongModel) {
    if (modelColumns.length !== 2) {
      throw new Error(
        `found ${modelColumns.length} model columns (${modelColumns.join(', ')}); name the weak and strong ones`,
      );
    }
    const [a, b] = modelColumns as [string, string];
    [weakModel, strongModel] = accuracy(a) <= accuracy(b) ? [a, b] : [b, a];
  }
  for (const column of [weakModel, strongModel]) {
    if (!(column in first))
      throw new Error(`no column "${column}" (model columns: ${modelColumns.join(', ')})`);
  }
  const rows = records.map((record, index): OutcomeRow => {
    const weakCorrect = parseBoolean(record[weakModel]);
    const strongCorrect = parseBoolean(record[strongModel]);
    if (weakCorrect === undefined || strongCorrect === undefined) {
      throw new Error(`row ${index + 2}: expected True/False in "${weakModel}" and "${strongModel}"`);
    }
    const weakResponse = record[`${weakModel}_response`];
    return {
      prompt: record.prompt ?? '',
      ...(record.subject ? { subject: record.subject } : {}),
      weakCorrect,
      strongCorrect,
      ...(weakResponse !== undefined ? { weakResponse } : {}),
    };
  });
  return { kind: 'outcomes', weakModel, strongModel, rows };
}

/**
 * Outcome rows as training examples for the strong-needed model, labelled by which models were
 * right (`strong-only` is the label the issue names: the strong model right where the weak is
 * wrong). Four classes let the score weigh the gain of a strong call against its loss (`weak-only`).
 */
export function convertOutcomesToExamples(data: OutcomeData): TrainingExample[] {
  return data.rows.map((row) => ({
    text: row.prompt,
    ...(row.subject ? { categories: [row.subject] } : {}),
    label: labelOutcome(row.weakCorrect, row.strongCorrect),
  }));
}

/**
 * Intent CSV rows as examples, from the named text and label columns; a file without them is
 * refused rather than read as empty texts.
 */
function readIntentCsv(text: string, textColumn: string, labelColumn: string): IntentData {
  const records = parseCsv(text);
  const first = records[0];
  if (!first) throw new Error('no rows');
  for (const column of [textColumn, labelColumn]) {
    if (!(column in first))
      throw new Error(`no "${column}" column (columns: ${Object.keys(first).join(', ')})`);
  }
  const examples = records.map((record) => ({
    text: record[textColumn] ?? '',
    label: record[labelColumn] ?? '',
  }));
  return { kind: 'intent', examples };
}

/** banking77 CSV: `text,category`. */
export function readBanking77(text: string): IntentData {
  return readIntentCsv(text, 'text', 'category');
}

const isTestSplit = (key: string) => key === 'test' || key.endsWith('_test');

/**
 * The CLINC150 keys read when none are named. A file without test keys is read whole. The full
 * release also holds `test` and `oos_test`: training leaves them out and evaluation reads only
 * them, so a model is never measured on rows it was trained on by default.
 */
export function defaultClincSplits(keys: readonly string[], purpose: DataPurpose): string[] {
  const test = keys.filter(isTestSplit);
  if (test.length === 0) return [...keys];
  return purpose === 'eval' ? test : keys.filter((key) => !isTestSplit(key));
}

/**
 * CLINC150 JSON: keys such as `train`, `val`, `oos_train`, `oos_val` (and `test`, `oos_test` in
 * the full release), each a list of `[text, intent]`; `splits` picks the keys (default:
 * `defaultClincSplits`). Out-of-scope rows are `oos`.
 */
export function readClinc150(text: string, splits?: string[], purpose: DataPurpose = 'train'): IntentData {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('expected a JSON object of splits, each a list of [text, intent]');
  const data = parsed as Record<string, unknown>;
  const keys = splits ?? defaultClincSplits(Object.keys(data), purpose);
  const examples: TrainingExample[] = [];
  for (const key of keys) {
    const rows = data[key];
    if (!Array.isArray(rows)) throw new Error(`no split "${key}" (splits: ${Object.keys(data).join(', ')})`);
    for (const row of rows as unknown[]) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'string')
        throw new Error(
          `split "${key}": expected [text, intent] pairs, got ${JSON.stringify(row).slice(0, 80)}`,
        );
      examples.push({ text: row[0], label: row[1] });
    }
  }
  return { kind: 'intent', examples, outOfScopeLabel: 'oos', splits: keys };
}

/** Bitext customer-support CSV: `instruction` → `intent`. */
export function readBitext(text: string): IntentData {
  return readIntentCsv(text, 'instruction', 'intent');
}

export async function readRouterData(
  file: string,
  format: RouterDataFormat,
  options: { splits?: string[]; purpose?: DataPurpose; weak?: string; strong?: string } = {},
): Promise<OutcomeData | IntentData> {
  const text = await readFile(file, 'utf8');
  switch (format) {
    case 'outcomes':
      return readOutcomes(text, options);
    case 'banking77':
      return readBanking77(text);
    case 'clinc150':
      return readClinc150(text, options.splits, options.purpose);
    case 'bitext':
      return readBitext(text);
  }
}
