import type { ChatRequest } from '../../contract/index.js';
import { InvalidRequestError } from '../../errors/index.js';
import { readWireMessages } from './read-wire-messages.js';
import { readWireResponseFormat, readWireToolChoice, readWireTools } from './read-wire-tools.js';
import {
  invalidType,
  invalidValue,
  isJsonObject,
  missingParameter,
  readOptionalBoolean,
  readOptionalNumber,
  readOptionalString,
  readString,
} from './wire-value-readers.js';

/** The largest output limit any current model accepts; beyond it a value is a client bug. */
const MAX_OUTPUT_TOKENS = 1_000_000;

/** A validated `/v1/chat/completions` body: what to run, and how the client wants it delivered. */
export interface ParsedChatCompletion {
  /** The `model` the client asked for: `auto`, a configured model or an alias. */
  model: string;
  stream: boolean;
  /** `stream_options.include_usage`: send a final usage chunk. */
  includeUsage: boolean;
  request: ChatRequest;
}

function readStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw invalidType('stop', 'a string or an array of strings', value);
  if (value.length > 4) throw invalidValue('stop', `${value.length} sequences; at most 4 are allowed.`);
  return value.map((item, index) => readString(item, `stop[${index}]`));
}

function readMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidType('metadata', 'an object', value);
  const entries = Object.entries(value);
  if (entries.length > 16) throw invalidValue('metadata', `${entries.length} keys; at most 16 are allowed.`);
  for (const [key, item] of entries) {
    if (key.length > 64)
      throw invalidValue('metadata', `key '${key.slice(0, 20)}...' is longer than 64 characters.`);
    if (typeof item !== 'string') throw invalidType(`metadata.${key}`, 'a string', item);
    if (item.length > 512) throw invalidValue(`metadata.${key}`, 'longer than 512 characters.');
  }
  return value as Record<string, string>;
}

/**
 * Validates an OpenAI chat completion body and converts it to the contract. Unknown fields are
 * ignored (SDKs add fields faster than gateways); known fields are checked strictly.
 */
export function parseChatCompletionRequest(body: unknown): ParsedChatCompletion {
  if (!isJsonObject(body)) {
    throw new InvalidRequestError({
      message: `The request body must be a JSON object, but got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}.`,
      code: 'invalid_body',
    });
  }
  if (body.model === undefined) throw missingParameter('model');
  const model = readString(body.model, 'model');
  if (model === '') throw invalidValue('model', 'it must not be empty.');
  const messages = readWireMessages(body.messages);

  const n = readOptionalNumber(body.n, 'n', { min: 1, max: 128, integer: true });
  if (n !== undefined && n !== 1)
    throw invalidValue('n', `${n}. This gateway returns one choice per request (n = 1).`);

  const stream = readOptionalBoolean(body.stream, 'stream') ?? false;
  let includeUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!stream) throw invalidValue('stream_options', 'stream_options is only allowed when stream is true.');
    if (!isJsonObject(body.stream_options))
      throw invalidType('stream_options', 'an object', body.stream_options);
    includeUsage =
      readOptionalBoolean(body.stream_options.include_usage, 'stream_options.include_usage') ?? false;
  }

  const tokenRange = { min: 1, max: MAX_OUTPUT_TOKENS, integer: true };
  const maxOutputTokens =
    readOptionalNumber(body.max_completion_tokens, 'max_completion_tokens', tokenRange) ??
    readOptionalNumber(body.max_tokens, 'max_tokens', tokenRange);

  const logprobs = readOptionalBoolean(body.logprobs, 'logprobs');
  const topLogprobs = readOptionalNumber(body.top_logprobs, 'top_logprobs', {
    min: 0,
    max: 20,
    integer: true,
  });
  if (topLogprobs !== undefined && !logprobs) {
    throw invalidValue('top_logprobs', 'top_logprobs requires logprobs to be true.');
  }

  const tools = body.tools === undefined || body.tools === null ? undefined : readWireTools(body.tools);
  const toolChoice = readWireToolChoice(body.tool_choice, tools);
  const request: ChatRequest = { messages };
  const optional: Partial<ChatRequest> = {
    maxOutputTokens,
    temperature: readOptionalNumber(body.temperature, 'temperature', { min: 0, max: 2 }),
    topP: readOptionalNumber(body.top_p, 'top_p', { min: 0, max: 1 }),
    stop: readStop(body.stop),
    seed: readOptionalNumber(body.seed, 'seed', {
      min: Number.MIN_SAFE_INTEGER,
      max: Number.MAX_SAFE_INTEGER,
      integer: true,
    }),
    frequencyPenalty: readOptionalNumber(body.frequency_penalty, 'frequency_penalty', { min: -2, max: 2 }),
    presencePenalty: readOptionalNumber(body.presence_penalty, 'presence_penalty', { min: -2, max: 2 }),
    tools: tools?.length ? tools : undefined,
    toolChoice,
    parallelToolCalls: readOptionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls'),
    responseFormat: readWireResponseFormat(body.response_format),
    logprobs,
    topLogprobs,
    user: readOptionalString(body.user, 'user'),
    metadata: readMetadata(body.metadata),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (request as unknown as Record<string, unknown>)[key] = value;
  }
  return { model, stream, includeUsage, request };
}
