import { createHash } from 'node:crypto';
import { detectPii, redactPii } from '../../routing/index.js';
import type { FeedbackRecord } from '../../storage/index.js';
import type { LogOutcomeSources } from '../log/build-log-outcomes.js';
import { type LoggedMessage, parseLoggedMessages } from '../log/parse-logged-messages.js';

/** Where an example's answer comes from. */
export type FinetuneSource = 'large' | 'demonstrations' | 'both';
export type FinetuneFormat = 'openai' | 'sharegpt';

/** Keep only requests whose feedback `metric` compares so with `value` (true is 1). */
export interface FeedbackFilter {
  metric: string;
  operator: '=' | '>=' | '<=' | '>' | '<';
  value: number;
}

export interface FinetuneOptions {
  /** The large models, whose answers are taught. */
  large: ReadonlySet<string>;
  source: FinetuneSource;
  /** Keep only these task types (as the router logged them). */
  taskTypes?: readonly string[];
  feedback?: readonly FeedbackFilter[];
  /** Share of the distinct prompts kept for validation, chosen by a hash of the prompt. */
  validationShare: number;
}

/** One training conversation: the logged prompt and the answer to learn, PII replaced. */
export interface FinetuneExample {
  requestId: string;
  startedAt: number;
  taskType: string;
  answerFrom: 'large' | 'demonstration';
  messages: LoggedMessage[];
  split: 'train' | 'validation';
}

export interface FinetuneCounts {
  requests: number;
  withoutContent: number;
  filteredOut: number;
  /** Requests with tool turns: the log keeps their text, not the calls, so they are left out. */
  withTools: number;
  withoutAnswer: number;
  duplicates: number;
  /** PII found (and replaced by its kind) in the prompts and answers written. */
  piiReplaced: number;
  train: number;
  validation: number;
}

function compare(actual: number, filter: FeedbackFilter): boolean {
  switch (filter.operator) {
    case '=':
      return actual === filter.value;
    case '>=':
      return actual >= filter.value;
    case '<=':
      return actual <= filter.value;
    case '>':
      return actual > filter.value;
    case '<':
      return actual < filter.value;
  }
}

/** The prompt as compared for duplicates: roles and words, case and spacing aside. */
function promptKey(messages: readonly LoggedMessage[]): string {
  const normal = messages.map(
    (message) => `${message.role}:${message.content.toLowerCase().replace(/\s+/g, ' ').trim()}`,
  );
  return createHash('sha256').update(normal.join('\n')).digest('hex');
}

/**
 * Fine-tuning examples from the request log: each logged prompt with the answer to learn (the large
 * model's, from the request or a shadow call, or a person's demonstration), filtered by task type
 * and feedback, with every PII match replaced by its kind, one example per distinct prompt (a
 * demonstration first, then the newest), split into training and validation by a hash of the
 * prompt (the same prompt always lands on the same side). Oldest first.
 */
export function buildFinetuneDataset(
  sources: LogOutcomeSources,
  options: FinetuneOptions,
): { examples: FinetuneExample[]; counts: FinetuneCounts } {
  const feedback = new Map<string, FeedbackRecord[]>();
  for (const record of sources.feedback)
    feedback.set(record.requestId, [...(feedback.get(record.requestId) ?? []), record]);
  const shadowAnswers = new Map<string, string>();
  for (const pair of sources.shadowPairs) {
    if (options.large.has(pair.to) && pair.status === 'ok' && pair.shadowContent)
      shadowAnswers.set(pair.requestId, pair.shadowContent);
  }
  const counts: FinetuneCounts = {
    requests: sources.outcomes.length,
    withoutContent: 0,
    filteredOut: 0,
    withTools: 0,
    withoutAnswer: 0,
    duplicates: 0,
    piiReplaced: 0,
    train: 0,
    validation: 0,
  };
  const candidates: (Omit<FinetuneExample, 'split'> & { key: string })[] = [];
  for (const outcome of sources.outcomes) {
    if (!outcome.requestContent) {
      counts.withoutContent += 1;
      continue;
    }
    const taskType = typeof outcome.scores?.taskType === 'string' ? outcome.scores.taskType : 'unknown';
    const rated = feedback.get(outcome.id) ?? [];
    const passes = (filter: FeedbackFilter) =>
      rated.some((record) => record.metric === filter.metric && compare(record.value, filter));
    if (
      (options.taskTypes && !options.taskTypes.includes(taskType)) ||
      !(options.feedback ?? []).every(passes)
    ) {
      counts.filteredOut += 1;
      continue;
    }
    const prompt = parseLoggedMessages(outcome.requestContent);
    if (prompt.some((message) => message.role === 'tool')) {
      counts.withTools += 1;
      continue;
    }
    const demonstration = rated.filter((record) => record.demonstration).at(-1)?.demonstration ?? null;
    const largeServed =
      outcome.finalModel !== null && options.large.has(outcome.finalModel) && outcome.status === 200;
    const largeAnswer =
      (largeServed ? outcome.responseContent : null) ?? shadowAnswers.get(outcome.id) ?? null;
    const answer =
      options.source === 'large'
        ? largeAnswer && { text: largeAnswer, from: 'large' as const }
        : demonstration
          ? { text: demonstration, from: 'demonstration' as const }
          : options.source === 'both' && largeAnswer
            ? { text: largeAnswer, from: 'large' as const }
            : null;
    if (!answer) {
      counts.withoutAnswer += 1;
      continue;
    }
    const messages = [...prompt, { role: 'assistant' as const, content: answer.text }].map((message) => {
      counts.piiReplaced += detectPii(message.content).length;
      return { role: message.role, content: redactPii(message.content) };
    });
    candidates.push({
      requestId: outcome.id,
      startedAt: outcome.startedAt,
      taskType,
      answerFrom: answer.from,
      messages,
      key: promptKey(messages.slice(0, -1)),
    });
  }
  // Demonstrations first, then the newest: the first of each prompt is kept.
  const ranked = [...candidates].sort(
    (a, b) =>
      Number(b.answerFrom === 'demonstration') - Number(a.answerFrom === 'demonstration') ||
      b.startedAt - a.startedAt,
  );
  const kept = new Map<string, FinetuneExample>();
  for (const { key, ...candidate } of ranked) {
    if (kept.has(key)) {
      counts.duplicates += 1;
      continue;
    }
    const split =
      Number.parseInt(key.slice(0, 8), 16) / 2 ** 32 < options.validationShare ? 'validation' : 'train';
    counts[split] += 1;
    kept.set(key, { ...candidate, split });
  }
  const examples = [...kept.values()].sort(
    (a, b) => a.startedAt - b.startedAt || a.requestId.localeCompare(b.requestId),
  );
  return { examples, counts };
}

const SHAREGPT_ROLES = { system: 'system', user: 'human', assistant: 'gpt', tool: 'tool' } as const;

/** One JSONL line of an example in OpenAI's chat fine-tuning format or ShareGPT's. */
export function formatFinetuneLine(example: FinetuneExample, format: FinetuneFormat): string {
  if (format === 'openai') return JSON.stringify({ messages: example.messages });
  return JSON.stringify({
    conversations: example.messages.map((message) => ({
      from: SHAREGPT_ROLES[message.role],
      value: message.content,
    })),
  });
}
