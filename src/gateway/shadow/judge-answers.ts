import type { ChatModel, ChatRequest } from '../../contract/index.js';
import type { AnswerText } from './score-shadow-answer.js';

/** The judge's instructions (documented in docs/migration-loop.md). */
export const JUDGE_SYSTEM_PROMPT = `You compare two answers to the same request. They agree when a user would accept either one as the same answer: the same facts, the same decision, the same values; wording, order and length may differ. Reply with one word: AGREE or DISAGREE.`;

function describeAnswer(answer: AnswerText): string {
  const calls = answer.toolCalls.map((call) => `tool call ${call.name}(${call.arguments})`).join('\n');
  return [answer.text, calls].filter(Boolean).join('\n') || '(empty)';
}

/** The judge's verdict: its reply read for DISAGREE first (which contains AGREE), null when it says neither. */
export function readVerdict(reply: string): 'agree' | 'disagree' | null {
  const upper = reply.toUpperCase();
  if (/\bDISAGREE\b/.test(upper)) return 'disagree';
  if (/\bAGREE\b/.test(upper)) return 'agree';
  return null;
}

/** Asks `judge` whether two answers to `request` agree. */
export async function judgeAnswers(options: {
  judge: ChatModel;
  request: ChatRequest;
  first: AnswerText;
  second: AnswerText;
  signal: AbortSignal;
}): Promise<'agree' | 'disagree' | null> {
  const asked = options.request.messages.map((message) => `${message.role}: ${message.content}`).join('\n');
  const result = await options.judge.doGenerate(
    {
      messages: [
        { role: 'system', content: JUDGE_SYSTEM_PROMPT },
        {
          role: 'user',
          content: `Request:\n${asked}\n\nAnswer A:\n${describeAnswer(options.first)}\n\nAnswer B:\n${describeAnswer(options.second)}`,
        },
      ],
      maxOutputTokens: 5,
      temperature: 0,
    },
    options.signal,
  );
  return readVerdict(result.text);
}
