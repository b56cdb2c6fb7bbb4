import { randomUUID } from 'node:crypto';
import type { ChatHistoryItem } from 'node-llama-cpp';
import type { ChatRequest, ToolDefinition } from '../../contract/index.js';
import { InvalidRequestError } from '../../errors/index.js';
import { convertToGrammarSchema } from './convert-to-grammar-schema.js';

/**
 * A tool call the request insists on (`tool_choice: "required"` or a named function). The model
 * answers under a grammar that admits nothing but such a call, so it cannot reply with text:
 * with one tool, the grammar is that tool's parameters and the answer is its arguments; with
 * several, it is `{"name": ..., "arguments": ...}` over the tools, and the model picks one.
 */
export interface ForcedToolCall {
  tools: ToolDefinition[];
  /** The JSON schema the grammar is built from (in node-llama-cpp's subset). */
  grammarSchema: Record<string, unknown>;
  /** Set when only one tool can be called: the answer is its arguments alone. */
  only?: string;
}

export function createToolCallId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

/** The forced call a request asks for, or undefined when the model may answer in text. */
export function planForcedToolCall(request: ChatRequest): ForcedToolCall | undefined {
  const choice = request.toolChoice;
  if (!request.tools?.length || (choice !== 'required' && typeof choice !== 'object')) return undefined;
  const tools =
    typeof choice === 'object' ? request.tools.filter((tool) => tool.name === choice.name) : request.tools;
  const [first] = tools;
  if (!first) {
    throw new InvalidRequestError({
      message: `tool_choice names the function '${(choice as { name: string }).name}', which is not among the tools.`,
      param: 'tool_choice',
      code: 'invalid_value',
    });
  }
  if (tools.length === 1) {
    return { tools, grammarSchema: convertToGrammarSchema(first.parameters), only: first.name };
  }
  return {
    tools,
    grammarSchema: {
      oneOf: tools.map((tool) => ({
        type: 'object',
        properties: { name: { const: tool.name }, arguments: convertToGrammarSchema(tool.parameters) },
        required: ['name', 'arguments'],
        additionalProperties: false,
      })),
    },
  };
}

function describeTool(tool: ToolDefinition): string {
  const description = tool.description ? `: ${tool.description}` : '';
  return `- ${tool.name}${description}\n  parameters (JSON schema): ${JSON.stringify(tool.parameters)}`;
}

/**
 * The history with the call's instructions added to the system turn: the grammar decides the
 * shape, but the model still needs to know what the arguments mean to fill them well.
 */
export function addForcedCallInstructions(
  history: ChatHistoryItem[],
  call: ForcedToolCall,
): ChatHistoryItem[] {
  const instructions = call.only
    ? `Call the function ${call.only} now. Reply with its arguments only, as one JSON object.\n${describeTool(call.tools[0] as ToolDefinition)}`
    : `Call exactly one of these functions now. Reply only with one JSON object of the form {"name": <function name>, "arguments": <its arguments>}.\n${call.tools.map(describeTool).join('\n')}`;
  const [first, ...rest] = history;
  if (first?.type === 'system')
    return [{ type: 'system', text: `${first.text}\n\n${instructions}` }, ...rest];
  return [{ type: 'system', text: instructions }, ...history];
}

/** The call in a finished answer; the arguments stay as generated when they do not parse (cut short). */
export function readForcedCall(text: string, call: ForcedToolCall): { name: string; arguments: string } {
  if (call.only) return { name: call.only, arguments: text.trim() };
  try {
    const value = JSON.parse(text) as { name?: unknown; arguments?: unknown };
    if (typeof value.name === 'string')
      return { name: value.name, arguments: JSON.stringify(value.arguments ?? {}) };
  } catch {
    // Cut short by max_tokens: fall through to what can be read of it.
  }
  const name = /"name"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  const start = text.indexOf('"arguments"');
  const rest = start === -1 ? '' : text.slice(text.indexOf(':', start) + 1).trimStart();
  return { name: name ?? (call.tools[0] as ToolDefinition).name, arguments: rest };
}

const CHOICE_HEAD = /^\s*\{\s*"name"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"arguments"\s*:\s*/;

export interface ToolCallDelta {
  id?: string;
  name?: string;
  argumentsDelta: string;
}

/**
 * Turns the text of a forced answer, as it is generated, into tool-call deltas: the name as soon
 * as it is known, then the arguments piece by piece. With several tools the last closing brace
 * is held back, since it may be the wrapper object's and belong to no argument.
 */
export class ForcedCallStream {
  private readonly call: ForcedToolCall;
  private readonly id = createToolCallId();
  private text = '';
  /** Where the arguments not yet sent begin in `text`; undefined until the name is known. */
  private sent: number | undefined;

  constructor(call: ForcedToolCall) {
    this.call = call;
  }

  /** Deltas for newly generated text (none until the name is known). */
  push(chunk: string): ToolCallDelta[] {
    this.text += chunk;
    if (this.sent !== undefined) return this.flush(false);
    let name = this.call.only;
    this.sent = 0;
    if (name === undefined) {
      const head = CHOICE_HEAD.exec(this.text);
      if (!head) {
        this.sent = undefined;
        return [];
      }
      name = JSON.parse(`"${head[1]}"`) as string;
      this.sent = head[0].length;
    }
    return [{ id: this.id, name, argumentsDelta: '' }, ...this.flush(false)];
  }

  /** The rest of the arguments once generation has ended. */
  end(): ToolCallDelta[] {
    if (this.sent === undefined) {
      const { name, arguments: args } = readForcedCall(this.text, this.call);
      return [{ id: this.id, name, argumentsDelta: args }];
    }
    return this.flush(true);
  }

  private flush(ended: boolean): ToolCallDelta[] {
    const from = this.sent ?? 0;
    let end = this.text.length;
    if (!this.call.only) end -= (/\s*\}?\s*$/.exec(this.text.slice(from))?.[0] ?? '').length;
    else if (ended) end -= (/\s*$/.exec(this.text.slice(from))?.[0] ?? '').length;
    if (end <= from) return [];
    this.sent = end;
    return [{ argumentsDelta: this.text.slice(from, end) }];
  }
}
