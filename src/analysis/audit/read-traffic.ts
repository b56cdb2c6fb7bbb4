import { readFile } from 'node:fs/promises';
import type { ChatRequest, Message } from '../../contract/index.js';
import { readRequestLogFile } from '../../storage/index.js';
import { parseCsv } from '../router/parse-csv.js';

export type TrafficFormat = 'jsonl' | 'csv' | 'switchyard-log';

/** One recorded request: what was sent, and what came back when the record has it. */
export interface TrafficEntry {
  request: ChatRequest;
  /** The model the request named (e.g. `gpt-4o`): what the traffic costs today. */
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  responseText?: string;
  /** PII kinds already known (from a request log written with redacted content). */
  piiKinds?: string[];
}

type Json = Record<string, unknown>;

function readContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === 'object' && typeof (part as Json).text === 'string'
          ? (part as Json).text
          : '',
      )
      .join('');
  }
  return '';
}

function readMessages(value: unknown, line: number): Message[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new Error(`line ${line}: "messages" must be a non-empty array`);
  return value.map((message: Json) => ({
    role: (['system', 'developer', 'user', 'assistant', 'tool'].includes(String(message.role))
      ? message.role
      : 'user') as Message['role'],
    content: readContent(message.content),
  })) as Message[];
}

function readNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** JSONL: one OpenAI chat request per line, optionally with the `response` and `usage` it got. */
export function readJsonlTraffic(text: string): TrafficEntry[] {
  const entries: TrafficEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    let record: Json;
    try {
      record = JSON.parse(line) as Json;
    } catch {
      throw new Error(`line ${index + 1} is not JSON`);
    }
    const body = (record.request && typeof record.request === 'object' ? record.request : record) as Json;
    const response = (record.response && typeof record.response === 'object' ? record.response : undefined) as
      | Json
      | undefined;
    const usage = (record.usage ?? response?.usage) as Json | undefined;
    const choice = Array.isArray(response?.choices) ? (response?.choices[0] as Json | undefined) : undefined;
    const responseText =
      typeof record.response === 'string'
        ? record.response
        : readContent((choice?.message as Json | undefined)?.content);
    const inputTokens = readNumber(usage?.prompt_tokens ?? usage?.input_tokens);
    const outputTokens = readNumber(usage?.completion_tokens ?? usage?.output_tokens);
    entries.push({
      request: { messages: readMessages(body.messages, index + 1) },
      ...(typeof body.model === 'string' ? { model: body.model } : {}),
      ...(inputTokens !== undefined ? { inputTokens } : {}),
      ...(outputTokens !== undefined ? { outputTokens } : {}),
      ...(responseText ? { responseText } : {}),
    });
  });
  return entries;
}

const TEXT_COLUMNS = ['text', 'prompt', 'question', 'instruction', 'input', 'message'];

/** CSV with one prompt per row in `textColumn` (default: the first of text, prompt, question, ...). */
export function readCsvTraffic(text: string, textColumn?: string): TrafficEntry[] {
  const records = parseCsv(text);
  const first = records[0];
  if (!first) return [];
  const column = textColumn ?? TEXT_COLUMNS.find((name) => name in first);
  if (!column || !(column in first)) {
    throw new Error(
      `no text column${textColumn ? ` "${textColumn}"` : ''} (columns: ${Object.keys(first).join(', ')}); pass --text-column`,
    );
  }
  return records.map((record) => ({
    request: { messages: [{ role: 'user', content: record[column] ?? '' }] },
  }));
}

/** Switchyard's own request log (SQLite). */
export function readLogTraffic(path: string): TrafficEntry[] {
  return readRequestLogFile(path).map((row) => {
    const piiKinds = Array.isArray(row.scores?.piiKinds) ? (row.scores?.piiKinds as string[]) : undefined;
    return {
      request: { messages: [{ role: 'user', content: row.requestContent ?? '' }] },
      ...(row.requestedModel ? { model: row.requestedModel } : {}),
      ...(row.inputTokens !== null ? { inputTokens: row.inputTokens } : {}),
      ...(row.outputTokens !== null ? { outputTokens: row.outputTokens } : {}),
      ...(row.responseContent ? { responseText: row.responseContent } : {}),
      ...(piiKinds ? { piiKinds } : {}),
    };
  });
}

export async function readTraffic(
  path: string,
  format: TrafficFormat,
  textColumn?: string,
): Promise<TrafficEntry[]> {
  if (format === 'switchyard-log') return readLogTraffic(path);
  const text = await readFile(path, 'utf8');
  return format === 'csv' ? readCsvTraffic(text, textColumn) : readJsonlTraffic(text);
}
