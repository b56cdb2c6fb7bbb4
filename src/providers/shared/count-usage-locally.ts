import type { ChatRequest, Usage } from '../../contract/index.js';
import { estimateTokenCount } from './estimate-token-count.js';

/**
 * Per-message framing tokens of chat formats (role markers and separators): OpenAI documents 3 per
 * message plus 3 to prime the reply for its current models; ChatML-style templates are similar.
 */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING_TOKENS = 3;

/**
 * Usage counted here for upstreams that report none, with the model's tokenizer when it has one
 * (else the estimate). Flagged `counted` so nobody mistakes it for a billed number.
 */
export function countUsageLocally(
  request: ChatRequest,
  outputText: string,
  countTokens: (text: string) => number = estimateTokenCount,
): Usage {
  let input = REPLY_PRIMING_TOKENS;
  for (const message of request.messages) input += countTokens(message.content) + TOKENS_PER_MESSAGE;
  return {
    inputTokens: input,
    outputTokens: countTokens(outputText),
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    source: 'counted',
  };
}
