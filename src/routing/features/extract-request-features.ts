import type { ChatRequest } from '../../contract/index.js';
import { estimateTokenCount } from '../../providers/shared/index.js';
import { listPiiKinds } from './detect-pii.js';
import type { RequestFeatures, TaskClassifier } from './request-features.js';

/**
 * Features of one request. The task is read from the latest user turn (what is being asked now);
 * PII and token counts cover every message, since all of it is sent to the model.
 */
export function extractRequestFeatures(
  request: ChatRequest,
  options: { requestedModel: string; classifier: TaskClassifier },
): RequestFeatures {
  let allText = '';
  let lastUser = '';
  for (const message of request.messages) {
    allText += `${message.content}\n`;
    if (message.role === 'user') lastUser = message.content;
  }
  const classification = options.classifier.classify(lastUser || allText);
  return {
    // An estimate until per-model tokenizers land; rules on inputTokens should leave headroom.
    inputTokens: estimateTokenCount(allText),
    ...classification,
    piiKinds: listPiiKinds(allText),
    hasTools: (request.tools?.length ?? 0) > 0,
    responseFormat: request.responseFormat?.type ?? 'text',
    requestedModel: options.requestedModel,
    metadata: request.metadata ?? {},
  };
}
