import type { ChatResult, FinishReason, TokenLogprob, ToolCall, Usage } from '../../contract/index.js';
import { takeRandomBytes } from '../create-request-id.js';

type Json = Record<string, unknown>;

export function createCompletionId(): string {
  return `chatcmpl-${takeRandomBytes(15).toString('base64url')}`;
}

export function mapFinishReasonToOpenAI(reason: FinishReason): string {
  switch (reason) {
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    case 'length':
      return 'length';
    default:
      return 'stop';
  }
}

export function convertUsageToOpenAI(usage: Usage): Json {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function byteValues(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

export function convertLogprobsToOpenAI(logprobs: TokenLogprob[]): Json {
  return {
    content: logprobs.map((entry) => ({
      token: entry.token,
      logprob: entry.logprob,
      bytes: byteValues(entry.token),
      top_logprobs: entry.topLogprobs.map((top) => ({
        token: top.token,
        logprob: top.logprob,
        bytes: byteValues(top.token),
      })),
    })),
    refusal: null,
  };
}

function convertToolCalls(toolCalls: ToolCall[]): Json[] {
  return toolCalls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
}

/** A complete `chat.completion` object, field for field as OpenAI sends it. */
export function convertToChatCompletion(result: ChatResult, options: { id: string; created: number }): Json {
  const message: Json = {
    role: 'assistant',
    content: result.toolCalls.length > 0 && result.text === '' ? null : result.text,
    refusal: null,
    annotations: [],
  };
  if (result.toolCalls.length > 0) message.tool_calls = convertToolCalls(result.toolCalls);
  return {
    id: options.id,
    object: 'chat.completion',
    created: options.created,
    model: result.modelId,
    choices: [
      {
        index: 0,
        message,
        logprobs: result.logprobs ? convertLogprobsToOpenAI(result.logprobs) : null,
        finish_reason: mapFinishReasonToOpenAI(result.finishReason),
      },
    ],
    usage: convertUsageToOpenAI(result.usage),
    service_tier: 'default',
    system_fingerprint: null,
  };
}

/** Builds the `chat.completion.chunk` objects of one streamed answer. */
export class ChunkWriter {
  private readonly base: { id: string; created: number; includeUsage: boolean };
  model: string;

  constructor(options: { id: string; created: number; model: string; includeUsage: boolean }) {
    this.base = options;
    this.model = options.model;
  }

  chunk(choice: Json | undefined, usage?: Usage): Json {
    const chunk: Json = {
      id: this.base.id,
      object: 'chat.completion.chunk',
      created: this.base.created,
      model: this.model,
      service_tier: 'default',
      system_fingerprint: null,
      choices: choice ? [choice] : [],
    };
    // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
    if (this.base.includeUsage) chunk.usage = usage ? convertUsageToOpenAI(usage) : null;
    return chunk;
  }

  delta(delta: Json, extra?: { logprobs?: TokenLogprob[] }): Json {
    return this.chunk({
      index: 0,
      delta,
      logprobs: extra?.logprobs ? convertLogprobsToOpenAI(extra.logprobs) : null,
      finish_reason: null,
    });
  }

  finish(reason: FinishReason): Json {
    return this.chunk({
      index: 0,
      delta: {},
      logprobs: null,
      finish_reason: mapFinishReasonToOpenAI(reason),
    });
  }

  usage(usage: Usage): Json {
    return this.chunk(undefined, usage);
  }
}
