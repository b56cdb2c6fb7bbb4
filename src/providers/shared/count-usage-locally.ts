import type { ChatRequest, Usage } from '../../contract/index.js';
import { estimateTokenCount } from './estimate-token-count.js';

/** Usage estimated from the texts, for upstreams that report none. Flagged `counted`. */
export function countUsageLocally(request: ChatRequest, outputText: string): Usage {
  let input = 0;
  for (const message of request.messages) input += estimateTokenCount(message.content) + 4;
  return {
    inputTokens: input,
    outputTokens: estimateTokenCount(outputText),
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    source: 'counted',
  };
}
