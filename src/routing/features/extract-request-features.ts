import type { ChatRequest } from '../../contract/index.js';
import { estimateTokenCount } from '../../providers/shared/index.js';
import { listPiiKinds } from './detect-pii.js';
import type { RequestFeatures, TaskClassifier } from './request-features.js';

/** Every message's text, one per line: what is sent to the model and scanned for PII. */
export function joinMessageText(request: ChatRequest): string {
  let text = '';
  for (const message of request.messages) text += `${message.content}\n`;
  return text;
}

/**
 * Features of one request. The task is read from the latest user turn (what is being asked now);
 * PII and token counts cover every message, since all of it is sent to the model. Tokens are
 * counted with `countTokens` (the default target's tokenizer) or, without one, estimated at four
 * characters per token.
 */
export function extractRequestFeatures(
  request: ChatRequest,
  options: { requestedModel: string; classifier: TaskClassifier; countTokens?: (text: string) => number },
): RequestFeatures {
  const allText = joinMessageText(request);
  let lastUser = '';
  for (const message of request.messages) if (message.role === 'user') lastUser = message.content;
  const classification = options.classifier.classify(lastUser || allText);
  return {
    inputTokens: (options.countTokens ?? estimateTokenCount)(allText),
    ...classification,
    piiKinds: listPiiKinds(allText),
    hasTools: (request.tools?.length ?? 0) > 0,
    responseFormat: request.responseFormat?.type ?? 'text',
    requestedModel: options.requestedModel,
    metadata: request.metadata ?? {},
  };
}
