import { createRandom } from './create-random.js';
import type { IntentData, OutcomeData } from './read-router-data.js';
import type { TrainingExample } from './training-example.js';

/** The shipped task-type labels. */
export const TASK_TYPES = [
  'classification',
  'extraction',
  'faq',
  'summarization',
  'conversation',
  'code',
  'math',
  'reasoning',
  'creative',
  'other',
] as const;

export interface TaskTypeSources {
  gsm8k: OutcomeData;
  mmlu: OutcomeData;
  banking77: IntentData;
  clinc150: IntentData;
  clincDomains: Record<string, string[]>;
  bitext: { instruction: string; entityType: string; response: string }[];
  mtBench: { category: string; turns: string[] }[];
}

const MATH_SUBJECTS = new Set([
  'elementary_mathematics',
  'high_school_mathematics',
  'college_mathematics',
  'abstract_algebra',
  'high_school_statistics',
]);
const REASONING_SUBJECTS = new Set([
  'formal_logic',
  'logical_fallacies',
  'moral_scenarios',
  'philosophy',
  'jurisprudence',
]);
const LANGUAGES = [
  'Python',
  'JavaScript',
  'TypeScript',
  'Go',
  'Rust',
  'Java',
  'C++',
  'SQL',
  'Bash',
  'C#',
  'Ruby',
  'Kotlin',
];
const CODE_TASKS = [
  'reverses a linked list',
  'parses a CSV file and returns the rows as objects',
  'checks whether a string is a palindrome',
  'merges two sorted arrays',
  'retries an HTTP request with exponential backoff',
  'computes the nth Fibonacci number with memoization',
  'finds duplicate rows in a table',
  'validates an email address',
  'debounces a function',
  'reads a file line by line and counts words',
  'implements binary search',
  'serializes a tree to JSON',
  'rate-limits calls to an API',
  'flattens a nested list',
  'groups orders by customer and sums the totals',
];
const CODE_SNIPPETS = [
  'def add(a, b):\n    return a - b',
  'for (let i = 0; i <= items.length; i++) { total += items[i]; }',
  'SELECT name, COUNT(*) FROM users GROUP BY id',
  'function f(x) { if (x = 1) return true; }',
  'const data = await fetch(url).json();',
  'while True:\n    line = input()\n    print(line.strip)',
  'int main() { int *p; *p = 5; return 0; }',
  'items.map(item => { item.price * 2 })',
];
const CODE_TEMPLATES = [
  (language: string, task: string) => `Write a ${language} function that ${task}.`,
  (language: string, task: string) => `Can you implement something in ${language} that ${task}?`,
  (language: string, task: string) => `I need ${language} code that ${task}, with unit tests.`,
  (language: string, task: string) => `How do I write a ${language} script that ${task}?`,
];
const SNIPPET_TEMPLATES = [
  (snippet: string) => `Fix the bug in this code:\n\`\`\`\n${snippet}\n\`\`\``,
  (snippet: string) => `Why does this throw an error?\n${snippet}`,
  (snippet: string) => `Refactor this to be more readable:\n\`\`\`\n${snippet}\n\`\`\``,
  (snippet: string) => `Explain what this code does: ${snippet}`,
  (snippet: string) => `Add type hints and a docstring:\n${snippet}`,
];
const CLASSIFY_TEMPLATES = [
  (text: string) => `Classify the intent of this customer message: "${text}"`,
  (text: string) => `Which category does this request belong to? ${text}`,
  (text: string) =>
    `Label the following message as one of: billing, card, transfer, account, other.\nMessage: ${text}`,
  (text: string) => `Is the sentiment of this message positive, negative or neutral? "${text}"`,
  (text: string) => `Categorize: ${text}`,
  (text: string) => `Tag this ticket with the right topic: ${text}`,
];
const EXTRACT_TEMPLATES = [
  (text: string, entity: string) => `Extract the ${entity.replace(/_/g, ' ')} from this message: "${text}"`,
  (text: string, entity: string) =>
    `Pull out the ${entity.replace(/_/g, ' ')} mentioned here and return it as JSON: ${text}`,
  (text: string, entity: string) => `From the text below, list every ${entity.replace(/_/g, ' ')}.\n${text}`,
  (text: string, entity: string) => `Fill in the field "${entity}" using this request: ${text}`,
];
const SUMMARY_TEMPLATES = [
  (text: string) => `Summarize the following text in two sentences:\n${text}`,
  (text: string) => `TL;DR: ${text}`,
  (text: string) => `Give me the key points of this reply:\n${text}`,
  (text: string) => `Condense this into one short paragraph: ${text}`,
  (text: string) => `Write a brief summary for the ticket history below.\n${text}`,
];
const CREATIVE_TEMPLATES = [
  (topic: string) => `Write a short poem about ${topic}.`,
  (topic: string) => `Write a story for children about ${topic}.`,
  (topic: string) => `Come up with five catchy slogans for ${topic}.`,
  (topic: string) => `Write a haiku about ${topic}.`,
  (topic: string) => `Imagine you are a pirate and describe ${topic}.`,
  (topic: string) => `Brainstorm creative names for a product about ${topic}.`,
];
const REASONING_TEMPLATES = [
  (topic: string) => `Explain step by step why ${topic} matters, and weigh the trade-offs.`,
  (topic: string) => `Compare the pros and cons of two approaches to ${topic}.`,
  (topic: string) => `Analyze the arguments for and against ${topic}.`,
  (topic: string) => `If ${topic} doubled, what would happen and why? Reason it through.`,
];

// Long prompts: the instruction before or after a long text (a document, a thread, a file). Real
// summarisation and extraction requests are mostly long, and a router that reads a long prompt's
// head and tail must learn that the instruction decides the task, not the length or the body.
const LONG_SUMMARY_TEMPLATES = [
  (text: string) => `Summarize the following document:\n\n${text}`,
  (text: string) => `${text}\n\nSummarize the above in three bullet points.`,
  (text: string) => `Here is a long thread:\n${text}\n\nWhat are the key points? Keep it short.`,
  (text: string) => `Please write an executive summary of this report.\n\n${text}`,
];
const LONG_EXTRACT_TEMPLATES = [
  (text: string, entity: string) =>
    `From the document below, extract every ${entity.replace(/_/g, ' ')} as a JSON list.\n\n${text}`,
  (text: string, entity: string) =>
    `${text}\n\nList each ${entity.replace(/_/g, ' ')} mentioned above, one per line.`,
];
const LONG_CLASSIFY_TEMPLATES = [
  (items: string) => `Classify each of these customer messages by intent:\n${items}`,
  (items: string) =>
    `${items}\n\nLabel every message above with its topic (billing, card, transfer, account, other).`,
];
const LONG_CODE_TEMPLATES = [
  (code: string) => `Review this file and point out the bugs:\n\`\`\`\n${code}\n\`\`\``,
  (code: string) => `\`\`\`\n${code}\n\`\`\`\nRefactor the code above and add unit tests.`,
  (code: string) =>
    `Here is our module:\n${code}\n\nWrite a function that uses it to process a list of orders.`,
];
const IDENTIFIERS = [
  'order',
  'total',
  'user',
  'account',
  'item',
  'price',
  'card',
  'balance',
  'row',
  'result',
];

const CODE_VERBS = ['get', 'update', 'sum', 'find', 'load', 'check', 'parse', 'send', 'save', 'merge'];

/** One made-up code unit: a function, a class or a query, in one of four styles. */
function writeCodeUnit(index: number, random: () => number): string {
  const noun = pick(IDENTIFIERS, random);
  const field = pick(IDENTIFIERS, random);
  const verb = pick(CODE_VERBS, random);
  const style = Math.floor(random() * 5);
  if (style === 0)
    return `def ${verb}_${noun}(${noun}s):\n    result = []\n    for ${noun} in ${noun}s:\n        if ${noun}.${field} > ${index}:\n            result.append(${noun}.${field})\n    return result\n`;
  if (style === 1)
    return `class ${verb[0]?.toUpperCase()}${verb.slice(1)}${noun}Handler:\n    def __init__(self, client):\n        self.client = client\n\n    def run(self, ${noun}_id):\n        data = self.client.get(f"/${noun}s/{${noun}_id}")\n        return data["${field}"]\n`;
  if (style === 2)
    return `export async function ${verb}${noun[0]?.toUpperCase()}${noun.slice(1)}(${noun}s) {\n  const result = [];\n  for (const ${noun} of ${noun}s) {\n    if (${noun}.${field} > ${index}) result.push(await save(${noun}));\n  }\n  return result;\n}\n`;
  if (style === 3)
    return `SELECT ${noun}_id, SUM(${field}) AS total\nFROM ${noun}s\nWHERE created_at > NOW() - INTERVAL '${index + 1} days'\nGROUP BY ${noun}_id;\n`;
  return pick(CODE_SNIPPETS, random);
}

/** A made-up source file of `units` functions, classes and queries. */
function writeCodeFile(units: number, random: () => number): string {
  const header = pick(
    ['import json\nimport os\n', "import { save } from './db.js';\n", '-- reports\n', ''],
    random,
  );
  return header + Array.from({ length: units }, (_, index) => writeCodeUnit(index, random)).join('\n');
}

/** `count` texts drawn from `pool`, joined as paragraphs or a numbered list. */
function joinTexts(pool: readonly string[], count: number, random: () => number, numbered = false): string {
  return Array.from({ length: count }, (_, index) =>
    numbered ? `${index + 1}. ${pick(pool, random)}` : pick(pool, random),
  ).join(numbered ? '\n' : '\n\n');
}

/**
 * A long text of one of three kinds: support replies (Bitext), a passage and its questions (MMLU
 * prompts), or a chat transcript (customer messages and support replies), 1,000 to about 9,000
 * characters.
 */
function writeDocument(sources: TaskTypeSources, messages: readonly string[], random: () => number): string {
  const count = 2 + Math.floor(random() * 10);
  const kind = Math.floor(random() * 3);
  if (kind === 0)
    return joinTexts(
      sources.bitext.map((row) => row.response),
      count,
      random,
    );
  if (kind === 1)
    return joinTexts(
      sources.mmlu.rows.map((row) => row.prompt),
      count * 2,
      random,
    );
  return Array.from({ length: count * 2 }, (_, index) =>
    index % 2 === 0
      ? `Customer: ${pick(messages, random)}`
      : `Agent: ${pick(sources.bitext, random)?.response ?? ''}`,
  ).join('\n');
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function shuffleTake<T>(items: readonly T[], count: number, random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const swap = Math.floor(random() * (index + 1));
    [copy[index], copy[swap]] = [copy[swap] as T, copy[index] as T];
  }
  return copy.slice(0, count);
}

/**
 * A labelled task-type set built from the shared data: real prompts where a source is that task
 * (GSM8K and maths subjects of MMLU for math, banking77 and CLINC150 for faq, CLINC's small-talk
 * for conversation, MT-bench by category), and documented templates wrapped around real texts for
 * the tasks no source holds directly (classify this message, extract the order number, summarise
 * this reply, write code that ...), in short forms and, one round in three, long ones (the
 * instruction before or after a long document, list or source file). Seeded: the same sources
 * give the same set.
 */
export function buildTaskTypeExamples(
  sources: TaskTypeSources,
  options: { perType: number; seed: number },
): TrainingExample[] {
  const random = createRandom(options.seed);
  const byType = new Map<string, string[]>(TASK_TYPES.map((type) => [type, []]));
  const add = (type: string, text: string) => {
    if (text.trim()) byType.get(type)?.push(text);
  };
  for (const row of sources.gsm8k.rows) add('math', row.prompt);
  for (const row of sources.mmlu.rows) {
    const subject = row.subject ?? '';
    add(
      MATH_SUBJECTS.has(subject) ? 'math' : REASONING_SUBJECTS.has(subject) ? 'reasoning' : 'other',
      row.prompt,
    );
  }
  for (const example of sources.banking77.examples) add('faq', example.text);
  const smallTalk = new Set([
    ...(sources.clincDomains.small_talk ?? []),
    ...(sources.clincDomains.meta ?? []),
  ]);
  for (const example of sources.clinc150.examples) {
    if (example.label === 'oos') continue;
    add(smallTalk.has(example.label) ? 'conversation' : 'faq', example.text);
  }
  const mtBenchTypes: Record<string, string> = {
    writing: 'creative',
    roleplay: 'creative',
    reasoning: 'reasoning',
    math: 'math',
    coding: 'code',
    extraction: 'extraction',
    stem: 'other',
    humanities: 'other',
  };
  for (const question of sources.mtBench) {
    const type = mtBenchTypes[question.category];
    if (type && question.turns[0]) add(type, question.turns[0]);
  }
  const messages = [
    ...sources.banking77.examples.map((example) => example.text),
    ...sources.bitext.map((row) => row.instruction),
  ];
  const topics = [...new Set(sources.mmlu.rows.map((row) => (row.subject ?? '').replace(/_/g, ' ')))].filter(
    Boolean,
  );
  for (let index = 0; index < options.perType; index += 1) {
    add('code', pick(CODE_TEMPLATES, random)(pick(LANGUAGES, random), pick(CODE_TASKS, random)));
    add('code', pick(SNIPPET_TEMPLATES, random)(pick(CODE_SNIPPETS, random)));
    add('classification', pick(CLASSIFY_TEMPLATES, random)(pick(messages, random)));
    const withEntity = pick(
      sources.bitext.filter((row) => row.entityType),
      random,
    );
    if (withEntity)
      add('extraction', pick(EXTRACT_TEMPLATES, random)(withEntity.instruction, withEntity.entityType));
    add('summarization', pick(SUMMARY_TEMPLATES, random)(pick(sources.bitext, random)?.response ?? ''));
    add(
      'creative',
      pick(CREATIVE_TEMPLATES, random)(pick([...topics, ...messages.slice(0, 200)], random).toLowerCase()),
    );
    add('reasoning', pick(REASONING_TEMPLATES, random)(pick(topics, random)));
    if (index % 3 === 0) {
      // One in three rounds also adds the long form of each instruction-led task (1,000 to
      // about 9,000 characters), so a long prompt is not taken for maths or "other" by length.
      const document = writeDocument(sources, messages, random);
      add('summarization', pick(LONG_SUMMARY_TEMPLATES, random)(document));
      if (withEntity)
        add('extraction', pick(LONG_EXTRACT_TEMPLATES, random)(document, withEntity.entityType));
      add(
        'classification',
        pick(
          LONG_CLASSIFY_TEMPLATES,
          random,
        )(joinTexts(messages, 10 + Math.floor(random() * 40), random, true)),
      );
      add('code', pick(LONG_CODE_TEMPLATES, random)(writeCodeFile(4 + Math.floor(random() * 20), random)));
    }
  }
  const examples: TrainingExample[] = [];
  for (const [type, texts] of byType) {
    for (const text of shuffleTake([...new Set(texts)], options.perType, random))
      examples.push({ text, label: type });
  }
  return shuffleTake(examples, examples.length, random);
}
