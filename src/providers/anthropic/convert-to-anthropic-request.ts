import type { ChatRequest, Message } from '../../contract/index.js';

type Block = Record<string, unknown>;
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

function parseToolInput(text: string): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? value : { value };
  } catch {
    return {};
  }
}

function convertToBlocks(message: Exclude<Message, { role: 'system' }>): Block[] {
  switch (message.role) {
    case 'user':
      return [{ type: 'text', text: message.content }];
    case 'tool':
      return [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }];
    case 'assistant': {
      const blocks: Block[] = message.content ? [{ type: 'text', text: message.content }] : [];
      for (const call of message.toolCalls ?? []) {
        blocks.push({
          type: 'tool_use',
          id: call.id,
          name: call.name,
          input: parseToolInput(call.arguments),
        });
      }
      return blocks;
    }
  }
}

/**
 * OpenAI-shaped request → Anthropic Messages body. System turns move to `system`; tool results
 * become user turns; consecutive turns of one role merge, as Anthropic requires alternation.
 */
export function convertToAnthropicRequest(
  request: ChatRequest,
  options: { modelId: string; stream: boolean; defaultMaxTokens: number },
): { body: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      system.push(message.content);
      continue;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = convertToBlocks(message);
    if (blocks.length === 0) continue;
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  }

  const format = request.responseFormat;
  if (format && format.type !== 'text') {
    // The Messages API has no response_format; ask for JSON in the system prompt instead.
    system.push(
      format.type === 'json_schema'
        ? `Respond only with a JSON value that validates against this JSON schema:\n${JSON.stringify(format.schema)}`
        : 'Respond only with a valid JSON object.',
    );
    warnings.push('response_format is emulated with a system instruction on Anthropic models');
  }

  const body: Record<string, unknown> = {
    model: options.modelId,
    max_tokens: request.maxOutputTokens ?? options.defaultMaxTokens,
    messages,
  };
  if (system.length > 0) body.system = system.join('\n\n');
  if (options.stream) body.stream = true;
  if (request.temperature !== undefined) {
    if (request.temperature > 1) warnings.push('temperature above 1 was lowered to 1 (Anthropic maximum)');
    body.temperature = Math.min(request.temperature, 1);
  }
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop?.length) body.stop_sequences = request.stop;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.logprobs) warnings.push('logprobs are not available from Anthropic models');
  if (request.seed !== undefined) warnings.push('seed is not supported by Anthropic models');

  if (request.tools?.length && request.toolChoice !== 'none') {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      input_schema: tool.parameters,
    }));
    const choice = request.toolChoice;
    const toolChoice: Record<string, unknown> =
      choice === undefined || choice === 'auto'
        ? { type: 'auto' }
        : choice === 'required'
          ? { type: 'any' }
          : { type: 'tool', name: choice.name };
    if (request.parallelToolCalls === false) toolChoice.disable_parallel_tool_use = true;
    body.tool_choice = toolChoice;
  }
  return { body, warnings };
}
