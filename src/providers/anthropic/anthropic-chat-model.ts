import type { AnthropicModelConfig } from '../../config/index.js';
import type {
  ChatModel,
  ChatRequest,
  ChatResult,
  FinishReason,
  Readiness,
  StreamEvents,
  StreamPart,
  ToolCall,
} from '../../contract/index.js';
import { ClientClosedError, ServiceUnavailableError, UpstreamError } from '../../errors/index.js';
import {
  countUsageLocally,
  createInvalidResponseError,
  estimateTokenCount,
  readServerSentEvents,
  UpstreamHttpClient,
} from '../shared/index.js';
import { convertAnthropicUsage, mapAnthropicStopReason } from './convert-anthropic-response-parts.js';
import { convertToAnthropicRequest } from './convert-to-anthropic-request.js';

type Json = Record<string, unknown>;

/** `reported` with the numeric fields of `update` (a usage object from the stream) laid over it. */
function mergeReportedUsage(reported: Json | undefined, update: unknown): Json | undefined {
  if (!update || typeof update !== 'object') return reported;
  const merged: Json = { ...reported };
  for (const [key, value] of Object.entries(update)) if (typeof value === 'number') merged[key] = value;
  return merged;
}

/** Anthropic's Messages API behind the OpenAI-shaped contract. */
export class AnthropicChatModel implements ChatModel {
  readonly provider = 'anthropic' as const;
  readonly isLocal = false;
  /** Anthropic publishes no tokenizer for current Claude models; local counts are estimates. */
  readonly countsExactly = false;
  readonly countTokens = estimateTokenCount;
  readonly name: string;
  readonly modelId: string;
  private readonly config: AnthropicModelConfig;
  private readonly apiKey: string | undefined;
  private readonly client: UpstreamHttpClient;

  constructor(options: { name: string; config: AnthropicModelConfig; env: NodeJS.ProcessEnv }) {
    this.name = options.name;
    this.config = options.config;
    this.modelId = options.config.model;
    this.apiKey = options.env[options.config.apiKeyEnv];
    this.client = new UpstreamHttpClient({
      modelName: options.name,
      baseUrl: options.config.baseUrl,
      timeouts: options.config.timeouts,
      maxConnections: options.config.maxConnections,
      http2: options.config.http2,
      env: options.env,
    });
  }

  readiness(): Readiness {
    return this.apiKey
      ? { ready: true }
      : { ready: false, detail: `environment variable ${this.config.apiKeyEnv} is not set` };
  }

  private async post(request: ChatRequest, stream: boolean, signal: AbortSignal) {
    if (!this.apiKey) {
      throw new ServiceUnavailableError({
        message: `Model '${this.name}' is not configured: environment variable ${this.config.apiKeyEnv} is not set.`,
        code: 'model_not_ready',
      });
    }
    const { body, warnings } = convertToAnthropicRequest(request, {
      modelId: this.modelId,
      stream,
      defaultMaxTokens: this.config.defaultMaxTokens,
    });
    const response = await this.client.postJson({
      path: '/v1/messages',
      headers: {
        'x-api-key': this.apiKey,
        'anthropic-version': this.config.version,
        ...this.config.headers,
      },
      body,
      signal,
    });
    return { response, warnings };
  }

  async doGenerate(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const { response, warnings } = await this.post(request, false, signal);
    let body: Json;
    try {
      body = (await response.body.json()) as Json;
    } catch (error) {
      throw createInvalidResponseError(this.name, 'its body is not valid JSON', response.convertError(error));
    }
    if (!Array.isArray(body.content)) throw createInvalidResponseError(this.name, 'it has no content array');
    let text = '';
    const toolCalls: ToolCall[] = [];
    for (const block of body.content as Json[]) {
      if (block.type === 'text' && typeof block.text === 'string') text += block.text;
      if (block.type === 'tool_use') {
        toolCalls.push({
          id: String(block.id),
          name: String(block.name),
          arguments: JSON.stringify(block.input ?? {}),
        });
      }
    }
    return {
      text,
      toolCalls,
      finishReason: mapAnthropicStopReason(body.stop_reason),
      usage: convertAnthropicUsage(body.usage) ?? countUsageLocally(request, text, this.countTokens),
      modelId: typeof body.model === 'string' ? body.model : this.modelId,
      warnings,
    };
  }

  async *doStream(
    request: ChatRequest,
    signal: AbortSignal,
    events?: StreamEvents,
  ): AsyncGenerator<StreamPart> {
    const { response, warnings } = await this.post(request, true, signal);
    events?.onAccepted?.();
    // Anthropic's usage fields as last reported: message_start gives them all, message_delta
    // repeats those that changed, each cumulative for the whole message.
    let reported: Json | undefined;
    let finishReason: FinishReason | undefined;
    let modelId = this.modelId;
    let text = '';
    let stopped = false;
    // Anthropic numbers content blocks; OpenAI numbers tool calls. Map one to the other.
    const toolIndexByBlock = new Map<number, number>();
    try {
      for await (const event of readServerSentEvents(response.body)) {
        // Events already buffered keep arriving after an abort; stop at the next one.
        if (signal.aborted) throw new ClientClosedError();
        let data: Json;
        try {
          data = JSON.parse(event.data) as Json;
        } catch {
          throw createInvalidResponseError(this.name, `an event is not JSON: ${event.data.slice(0, 80)}`);
        }
        const type = data.type ?? event.event;
        if (type === 'message_start') {
          const message = (data.message ?? {}) as Json;
          if (typeof message.model === 'string') modelId = message.model;
          reported = mergeReportedUsage(reported, message.usage);
        } else if (type === 'content_block_start') {
          const block = (data.content_block ?? {}) as Json;
          if (block.type === 'tool_use') {
            const index = toolIndexByBlock.size;
            toolIndexByBlock.set(Number(data.index), index);
            yield {
              type: 'tool-call-delta',
              index,
              id: String(block.id),
              name: String(block.name),
              argumentsDelta: '',
            };
          }
        } else if (type === 'content_block_delta') {
          const delta = (data.delta ?? {}) as Json;
          if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') {
            text += delta.text;
            yield { type: 'text-delta', delta: delta.text };
          } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
            const index = toolIndexByBlock.get(Number(data.index)) ?? 0;
            yield { type: 'tool-call-delta', index, argumentsDelta: delta.partial_json };
          }
        } else if (type === 'message_delta') {
          const delta = (data.delta ?? {}) as Json;
          if (delta.stop_reason) finishReason = mapAnthropicStopReason(delta.stop_reason);
          reported = mergeReportedUsage(reported, data.usage);
        } else if (type === 'message_stop') {
          stopped = true;
          break;
        } else if (type === 'error') {
          const error = (data.error ?? {}) as Json;
          const overloaded = error.type === 'overloaded_error';
          throw new UpstreamError({
            message: `Upstream '${this.name}' failed mid-stream: ${String(error.message ?? error.type ?? 'unknown error')}`,
            code: overloaded ? 'upstream_overloaded' : 'upstream_stream_error',
            status: 502,
            isRetryable: true,
          });
        }
      }
    } catch (error) {
      throw response.convertError(error);
    }
    if (!stopped) throw createInvalidResponseError(this.name, 'the stream ended before message_stop');
    yield {
      type: 'finish',
      finishReason: finishReason ?? 'other',
      usage: convertAnthropicUsage(reported) ?? countUsageLocally(request, text, this.countTokens),
      modelId,
      warnings,
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
