import { readFile } from 'node:fs/promises';
import type { ChatRequest, Message } from '../../contract/index.js';
import { parseCsv } from '../router/parse-csv.js';

/** One labelled prompt. */
export interface BenchItem {
  request: ChatRequest;
  expected: unknown;
}

function toMessages(record: Record<string, unknown>, line: number): Message[] {
  if (Array.isArray(record.messages) && record.messages.length > 0) {
    return record.messages.map((message: Record<string, unknown>) => ({
      role: (message.role as Message['role']) ?? 'user',
      content: typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? ''),
    })) as Message[];
  }
  if (typeof record.prompt === 'string') return [{ role: 'user', content: record.prompt }];
  throw new Error(`item ${line} has neither "prompt" nor "messages"`);
}

/**
 * JSONL (`{"prompt" or "messages", "expected", "max_tokens"?}` per line) or CSV (`prompt` and
 * `expected` columns), by file extension. Decoding is greedy (temperature 0) unless an item says.
 */
export async function readBenchDataset(path: string): Promise<BenchItem[]> {
  const text = await readFile(path, 'utf8');
  const records: Record<string, unknown>[] = path.toLowerCase().endsWith('.csv')
    ? parseCsv(text)
    : text
        .split('\n')
        .filter((line) => line.trim())
        .map((line, index) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            throw new Error(`line ${index + 1} is not JSON`);
          }
        });
  return records.map((record, index) => {
    if (!('expected' in record)) throw new Error(`item ${index + 1} has no "expected"`);
    const maxTokens = Number(record.max_tokens ?? record.maxTokens ?? 256);
    return {
      request: {
        messages: toMessages(record, index + 1),
        maxOutputTokens: Number.isFinite(maxTokens) && maxTokens > 0 ? maxTokens : 256,
        temperature: typeof record.temperature === 'number' ? record.temperature : 0,
      },
      expected: record.expected,
    };
  });
}
