import type { ChatResult, StreamPart } from '../../contract/index.js';

/** Replays a whole answer (a buffered small-model answer that passed its check) as stream parts. */
export function convertResultToStreamParts(result: ChatResult): StreamPart[] {
  const parts: StreamPart[] = [];
  if (result.text !== '') {
    parts.push({
      type: 'text-delta',
      delta: result.text,
      ...(result.logprobs ? { logprobs: result.logprobs } : {}),
    });
  }
  result.toolCalls.forEach((call, index) => {
    parts.push({
      type: 'tool-call-delta',
      index,
      id: call.id,
      name: call.name,
      argumentsDelta: call.arguments,
    });
  });
  parts.push({
    type: 'finish',
    finishReason: result.finishReason,
    usage: result.usage,
    modelId: result.modelId,
    ...(result.confidence ? { confidence: result.confidence } : {}),
    warnings: result.warnings,
  });
  return parts;
}
