import type { FakeReply } from './fake-upstream.js';

type Json = Record<string, unknown>;

/** A plausible Anthropic Messages answer: text, tool_use, streamed or not, with cache usage. */
export function createDefaultAnthropicReply(body: Json): FakeReply {
  const model = `${String(body.model)}-20250219`;
  const messages = body.messages as { role: string; content: { type: string }[] }[];
  const lastIsToolResult = messages.at(-1)?.content.some((block) => block.type === 'tool_result');
  const tools = body.tools as { name: string }[] | undefined;
  const useTool = tools?.length && !lastIsToolResult;
  const words = ['Hello', ' from', ' Claude', '.'];
  const maxTokens = body.max_tokens as number;
  const wantsJson = String(body.system ?? '').includes('JSON');
  const text = lastIsToolResult
    ? ['It is sunny.']
    : wantsJson
      ? ['{"answer":"42"}']
      : words.slice(0, maxTokens);
  const stopReason = useTool
    ? 'tool_use'
    : text.length < words.length && !lastIsToolResult && !wantsJson
      ? 'max_tokens'
      : 'end_turn';
  const usage = {
    input_tokens: 20,
    cache_read_input_tokens: 100,
    cache_creation_input_tokens: 10,
    output_tokens: useTool ? 15 : text.length,
  };
  if (!body.stream) {
    const content: Json[] = useTool
      ? [{ type: 'tool_use', id: 'toolu_1', name: tools[0]?.name, input: { city: 'Paris' } }]
      : [{ type: 'text', text: text.join('') }];
    return {
      json: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        usage,
      },
    };
  }
  const events: Json[] = [
    { type: 'message_start', message: { id: 'msg_1', model, usage: { ...usage, output_tokens: 1 } } },
  ];
  if (useTool) {
    events.push({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 'toolu_1', name: tools[0]?.name, input: {} },
    });
    events.push({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: '{"city":' },
    });
    events.push({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: '"Paris"}' },
    });
  } else {
    events.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    events.push({ type: 'ping' });
    for (const part of text)
      events.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: part } });
  }
  events.push({ type: 'content_block_stop', index: 0 });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: stopReason },
    usage: { output_tokens: usage.output_tokens },
  });
  events.push({ type: 'message_stop' });
  return { sse: events.map((event) => JSON.stringify(event)) };
}
