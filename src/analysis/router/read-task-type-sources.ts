import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskTypeSources } from './build-task-type-examples.js';
import { parseCsv } from './parse-csv.js';
import { type IntentData, type OutcomeData, readRouterData } from './read-router-data.js';

/**
 * The sources the task-type set is built from, read from a copy of the shared data folder
 * (`routing/` and `intent/` as `../shared/data` lays them out).
 */
export async function readTaskTypeSources(dataDirectory: string): Promise<TaskTypeSources> {
  const path = (file: string) => join(dataDirectory, file);
  return {
    gsm8k: (await readRouterData(path('routing/gsm8k-outcomes.dev.csv'), 'outcomes')) as OutcomeData,
    mmlu: (await readRouterData(path('routing/mmlu-outcomes.dev.csv'), 'outcomes')) as OutcomeData,
    banking77: (await readRouterData(path('intent/banking77.train.csv'), 'banking77')) as IntentData,
    clinc150: (await readRouterData(path('intent/clinc150.train.json'), 'clinc150')) as IntentData,
    clincDomains: JSON.parse(readFileSync(path('intent/clinc150.domains.json'), 'utf8')),
    bitext: parseCsv(readFileSync(path('intent/bitext-customer-support.dev.csv'), 'utf8')).map((row) => ({
      instruction: row.instruction ?? '',
      entityType: row.entity_type ?? '',
      response: row.response ?? '',
    })),
    mtBench: readFileSync(path('routing/mt-bench-questions.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  };
}
