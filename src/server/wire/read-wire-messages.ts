import type { Message, ToolCall } from '../../contract/index.js';
import { InvalidRequestError } from '../../errors/index.js';
import {
  invalidType,
  invalidValue,
  missingParameter,
  readArray,
  readObject,
  readOptionalString,
  readString,
} from './wire-value-readers.js';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];

/** String content, or an array of text parts joined with newlines. Other part types are refused. */
function readContent(value: unknown, param: string): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw invalidType(param, 'a string or an array of content parts', value);
  const texts: string[] = [];
  value.forEach((part, index) => {
    const partParam = `${param}[${index}]`;
    const object = readObject(part, partParam);
    if (object.type !== 'text') {
      throw new InvalidRequestError({
        message: `Unsupported content part type '${String(object.type)}' at '${partParam}': this gateway accepts text parts only.`,
        param: `${partParam}.type`,
        code: 'unsupported_content_type',
      });
    }
    texts.push(readString(object.text, `${partParam}.text`));
  });
  return texts.join('\n');
}

function readToolCalls(value: unknown, param: string): ToolCall[] {
  return readArray(value, param).map((item, index) => {
    const itemParam = `${param}[${index}]`;
    const call = readObject(item, itemParam);
    if (call.type !== undefined && call.type !== 'function') {
      throw invalidValue(`${itemParam}.type`, `'${String(call.type)}'. Supported values are: 'function'.`);
    }
    if (call.id === undefined) throw missingParameter(`${itemParam}.id`);
    if (call.function === undefined) throw missingParameter(`${itemParam}.function`);
    const fn = readObject(call.function, `${itemParam}.function`);
    if (fn.name === undefined) throw missingParameter(`${itemParam}.function.name`);
    return {
      id: readString(call.id, `${itemParam}.id`),
      name: readString(fn.name, `${itemParam}.function.name`),
      arguments: readString(fn.arguments ?? '{}', `${itemParam}.function.arguments`),
    };
  });
}

function readMessage(value: unknown, param: string): Message {
  const message = readObject(value, param);
  if (message.role === undefined) throw missingParameter(`${param}.role`);
  const role = message.role;
  if (typeof role !== 'string' || !ROLES.includes(role)) {
    throw invalidValue(
      `${param}.role`,
      `'${String(role)}'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.`,
    );
  }
  const contentParam = `${param}.content`;
  switch (role) {
    case 'system':
    case 'developer':
      if (message.content === undefined) throw missingParameter(contentParam);
      return { role: 'system', content: readContent(message.content, contentParam) };
    case 'user': {
      if (message.content === undefined) throw missingParameter(contentParam);
      const name = readOptionalString(message.name, `${param}.name`);
      return { role: 'user', content: readContent(message.content, contentParam), ...(name ? { name } : {}) };
    }
    case 'assistant': {
      const toolCalls =
        message.tool_calls == null ? [] : readToolCalls(message.tool_calls, `${param}.tool_calls`);
      if (message.content == null && toolCalls.length === 0) throw missingParameter(contentParam);
      const content = message.content == null ? '' : readContent(message.content, contentParam);
      return { role: 'assistant', content, ...(toolCalls.length ? { toolCalls } : {}) };
    }
    default: {
      if (message.tool_call_id === undefined) throw missingParameter(`${param}.tool_call_id`);
      if (message.content === undefined) throw missingParameter(contentParam);
      return {
        role: 'tool',
        toolCallId: readString(message.tool_call_id, `${param}.tool_call_id`),
        content: readContent(message.content, contentParam),
      };
    }
  }
}

/** `messages`: a non-empty array of turns; every tool result must answer an earlier tool call. */
export function readWireMessages(value: unknown): Message[] {
  if (value === undefined) throw missingParameter('messages');
  const items = readArray(value, 'messages');
  if (items.length === 0) {
    throw new InvalidRequestError({
      message: "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      param: 'messages',
      code: 'empty_array',
    });
  }
  const messages = items.map((item, index) => readMessage(item, `messages[${index}]`));
  const callIds = new Set<string>();
  messages.forEach((message, index) => {
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) callIds.add(call.id);
    if (message.role === 'tool' && !callIds.has(message.toolCallId)) {
      throw invalidValue(
        `messages[${index}].tool_call_id`,
        `'${message.toolCallId}' does not answer any tool call of an earlier assistant message.`,
      );
    }
  });
  return messages;
}
