import { type ChatWrapper, LlamaChat, type LlamaContextSequence } from 'node-llama-cpp';
import type { ChatRequest, FinishReason, ToolCall } from '../../contract/index.js';
import type { BatchGate } from './batch-gate.js';
import { captureTokenProbabilities } from './capture-token-probabilities.js';
import { convertToLlamaHistory } from './convert-to-llama-history.js';
import type { Constraints } from './create-constraints.js';
import { addForcedCallInstructions, createToolCallId, readForcedCall } from './forced-tool-call.js';

export interface Generation {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  inputTokens: number;
  outputTokens: number;
  probabilities: number[];
}

function mapStopReason(reason: string, hasToolCalls: boolean): FinishReason {
  if (reason === 'maxTokens') return 'length';
  if (hasToolCalls || reason === 'functionCalls') return 'tool-calls';
  if (reason === 'abort') return 'other';
  return 'stop';
}

/**
 * One answer on a sequence the caller holds, through node-llama-cpp's LlamaChat (chat template,
 * stop triggers, grammar, function calling). The sequence is one of the context's `parallel`
 * sequences: while this request decodes, the others' tokens go into the same forward passes.
 * Usage is what this request added to the sequence's meter, so it stays exact on a reused one.
 */
export async function generateOnSequence(options: {
  sequence: LlamaContextSequence;
  batchGate: BatchGate;
  chatWrapper: ChatWrapper;
  request: ChatRequest;
  constraints: Constraints;
  maxTokens: number;
  signal: AbortSignal;
  onTextChunk?: (text: string) => void;
}): Promise<Generation> {
  const { sequence, request, constraints } = options;
  const meterAtStart = sequence.tokenMeter.getState();
  // Token probabilities cost decoding speed: recorded only when the answer's confidence is judged.
  const capture = request.confidenceRequested ? captureTokenProbabilities(sequence) : undefined;
  const chat = new LlamaChat({
    contextSequence: sequence,
    chatWrapper: options.chatWrapper,
    autoDisposeSequence: false,
  });
  try {
    let history = convertToLlamaHistory(request.messages);
    if (constraints.forcedCall) history = addForcedCallInstructions(history, constraints.forcedCall);
    // Once its prompt is in, each pass waits for this request's next token (see BatchGate); it
    // stops waiting the moment the generation returns.
    const leaveGate = options.batchGate.join(sequence);
    const generating = chat.generateResponse(history, {
      maxTokens: options.maxTokens,
      temperature: request.temperature ?? 0,
      ...(request.topP !== undefined ? { topP: request.topP } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.stop?.length && !constraints.forcedCall ? { customStopTriggers: request.stop } : {}),
      ...(constraints.grammar ? { grammar: constraints.grammar } : {}),
      ...(constraints.functions ? { functions: constraints.functions } : {}),
      ...(request.parallelToolCalls === false ? { maxParallelFunctionCalls: 1 } : {}),
      ...(options.onTextChunk ? { onTextChunk: options.onTextChunk } : {}),
      signal: options.signal,
      stopOnAbortSignal: false,
    } as Parameters<LlamaChat['generateResponse']>[1]);
    const response = await generating.finally(leaveGate);
    const meter = sequence.tokenMeter.getState();
    let text = response.response;
    let toolCalls: ToolCall[] = (response.functionCalls ?? []).map((call) => ({
      id: createToolCallId(),
      name: call.functionName,
      arguments: JSON.stringify(call.params ?? {}),
    }));
    if (constraints.forcedCall) {
      toolCalls = [{ id: createToolCallId(), ...readForcedCall(text, constraints.forcedCall) }];
      text = '';
    }
    return {
      text,
      toolCalls,
      finishReason: mapStopReason(response.metadata.stopReason, toolCalls.length > 0),
      inputTokens: meter.usedInputTokens - meterAtStart.usedInputTokens,
      outputTokens: meter.usedOutputTokens - meterAtStart.usedOutputTokens,
      probabilities: capture?.probabilities ?? [],
    };
  } finally {
    capture?.release();
    chat.dispose({ disposeSequence: false });
  }
}
