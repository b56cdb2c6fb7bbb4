import type { ChatHistoryItem, ChatModelFunctionCall } from 'node-llama-cpp';
import type { Message } from '../../contract/index.js';

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * OpenAI messages → node-llama-cpp chat history. A tool result is attached to the function call
 * it answers (node-llama-cpp keeps calls and results together inside the model turn). The history
 * ends with an empty model turn for the answer to fill.
 */
export function convertToLlamaHistory(messages: readonly Message[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const callsById = new Map<string, ChatModelFunctionCall>();
  for (const message of messages) {
    if (message.role === 'system') history.push({ type: 'system', text: message.content });
    else if (message.role === 'user') history.push({ type: 'user', text: message.content });
    else if (message.role === 'assistant') {
      const response: (string | ChatModelFunctionCall)[] = message.content ? [message.content] : [];
      for (const call of message.toolCalls ?? []) {
        const item: ChatModelFunctionCall = {
          type: 'functionCall',
          name: call.name,
          params: parseArguments(call.arguments),
          result: undefined,
        };
        callsById.set(call.id, item);
        response.push(item);
      }
      history.push({ type: 'model', response });
    } else {
      const call = callsById.get(message.toolCallId);
      // A result for an unknown call still reaches the model, as user-visible text.
      if (call) call.result = parseArguments(message.content);
      else history.push({ type: 'user', text: `Tool result (${message.toolCallId}): ${message.content}` });
    }
  }
  history.push({ type: 'model', response: [] });
  return history;
}
