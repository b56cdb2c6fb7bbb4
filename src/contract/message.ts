/** A tool call the assistant asked for. `arguments` is the JSON text exactly as the model produced it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * One conversation turn. The OpenAI `developer` role arrives as `system`; text-part arrays arrive
 * joined into one string, because every backend here takes plain text.
 */
export type Message =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; name?: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export type MessageRole = Message['role'];
