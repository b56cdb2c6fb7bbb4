import { isDeepStrictEqual } from 'node:util';
import type { EscalationConfig } from '../../config/index.js';
import type { ChatRequest, ToolCall } from '../../contract/index.js';
import { checkAnswer } from '../../routing/index.js';
import type { ShadowScores } from '../../storage/index.js';

/** What one model answered: its text and tool calls. */
export interface AnswerText {
  text: string;
  toolCalls: ToolCall[];
}

/** Lower-case words without punctuation: answers that differ only in form compare equal. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function compareToolCalls(first: ToolCall[], second: ToolCall[]): boolean {
  if (first.length !== second.length) return false;
  return first.every((call, index) => {
    const other = second[index] as ToolCall;
    const mine = parseJson(call.arguments || '{}');
    const theirs = parseJson(other.arguments || '{}');
    return call.name === other.name && mine.ok && theirs.ok && isDeepStrictEqual(mine.value, theirs.value);
  });
}

/** Share of the two texts' distinct words they have in common (Jaccard), 0..1. */
function measureSimilarity(first: string, second: string): number {
  const words = (text: string) => new Set(normalizeAnswer(text).split(' ').filter(Boolean));
  const a = words(first);
  const b = words(second);
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/**
 * How a shadow answer compares with the answer the client got: text (exact and normalised),
 * JSON for structured output, tool calls, the small model's answer against the escalation checks.
 * `small` names which of the two the small model gave (the one the checks judge).
 */
export function scoreShadowAnswer(options: {
  primary: AnswerText;
  shadow: AnswerText;
  request: ChatRequest;
  small: 'primary' | 'shadow';
  escalation: EscalationConfig | undefined;
}): ShadowScores {
  const { primary, shadow, request } = options;
  const format = request.responseFormat?.type;
  let json: boolean | null = null;
  if (format === 'json_object' || format === 'json_schema') {
    const mine = parseJson(primary.text);
    const theirs = parseJson(shadow.text);
    json = mine.ok && theirs.ok && isDeepStrictEqual(mine.value, theirs.value);
  }
  const tool =
    primary.toolCalls.length > 0 || shadow.toolCalls.length > 0
      ? compareToolCalls(primary.toolCalls, shadow.toolCalls)
      : null;
  const small = options.small === 'primary' ? primary : shadow;
  const verifiersOk = options.escalation
    ? checkAnswer(
        {
          ...small,
          finishReason: small.toolCalls.length > 0 ? 'tool-calls' : 'stop',
          usage: EMPTY_USAGE,
          modelId: '',
          warnings: [],
        },
        request,
        { ...options.escalation, minConfidence: undefined },
      ) === undefined
    : null;
  return {
    exact: primary.text === shadow.text && (tool ?? true),
    normalized: normalizeAnswer(primary.text) === normalizeAnswer(shadow.text),
    json,
    tool,
    verifiersOk,
    judge: null,
    similarity: Number(measureSimilarity(primary.text, shadow.text).toFixed(4)),
  };
}

/** 1 when the answers agree: the judge's verdict when there is one, else the strictest comparison that applies. */
export function decideAgreement(scores: ShadowScores): number {
  if (scores.judge !== null) return scores.judge === 'agree' ? 1 : 0;
  if (scores.json !== null) return scores.json ? 1 : 0;
  if (scores.tool !== null) return scores.tool ? 1 : 0;
  return scores.normalized ? 1 : 0;
}

const EMPTY_USAGE = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  reasoningTokens: 0,
  source: 'counted' as const,
};
