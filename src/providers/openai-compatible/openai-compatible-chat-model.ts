import type { OpenAICompatibleModelConfig } from '../../config/index.js';
import type {
  ChatModel,
  ChatRequest,
  ChatResult,
  FinishReason,
  Readiness,
  StreamEvents,
  StreamPart,
  ToolCall,
  Usage,
} from '../../contract/index.js';
import { ClientClosedError, ServiceUnavailableError, UpstreamError } from '../../errors/index.js';
import {
  computeConfidence,
  countUsageLocally,
  createInvalidResponseError,
  createOpenAITokenCounter,
  readServerSentEvents,
  UpstreamHttpClient,
} from '../shared/index.js';
import {
  convertOpenAILogprobs,
  convertOpenAIUsage,
  mapOpenAIFinishReason,
} from './convert-openai-response-parts.js';
import { convertToOpenAIRequest } from './convert-to-openai-request.js';

type Json = Record<string, unknown>;

/** OpenAI's chat completions API and everything that imitates it (vLLM, llama.cpp server, Ollama). */
export class OpenAICompatibleChatModel implements ChatModel {
  readonly provider = 'openai-compatible' as const;
  readonly name: string;
  readonly modelId: string;
  readonly isLocal: boolean;
  readonly countsExactly: boolean;
  readonly countTokens: (text: string) => number;
  private readonly config: OpenAICompatibleModelConfig;
  private readonly apiKey: string | undefined;
  private readonly client: UpstreamHttpClient;

  constructor(options: { name: string; config: OpenAICompatibleModelConfig; env: NodeJS.ProcessEnv }) {
    this.name = options.name;
    this.config = options.config;
    this.modelId = options.config.model;
    this.isLocal = options.config.local;
    const counter = createOpenAITokenCounter(this.modelId);
    this.countTokens = counter.countTokens;
    this.countsExactly = counter.exact;
    this.apiKey = options.config.apiKeyEnv ? options.env[options.config.apiKeyEnv] : undefined;
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
    if (this.config.apiKeyEnv && !this.apiKey) {
      return { ready: false, detail: `environment variable ${this.config.apiKeyEnv} is not set` };
    }
    return { ready: true };
  }

  private async post(request: ChatRequest, stream: boolean, signal: AbortSignal) {
    const readiness = this.readiness();
    if (!readiness.ready) {
      throw new ServiceUnavailableError({
        message: `Model '${this.name}' is not configured: ${readiness.detail}.`,
        code: 'model_not_ready',
      });
    }
    return this.client.postJson({
      path: '/chat/completions',
      headers: {
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        ...this.config.headers,
        ...(stream ? { accept: 'text/event-stream' } : {}),
      },
      body: convertToOpenAIRequest(request, {
        modelId: this.modelId,
        stream,
        maxTokensField: this.config.maxTokensField,
      }),
      signal,
    });
  }

  async doGenerate(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const response = await this.post(request, false, signal);
    let body: Json;
    try {
      body = (await response.body.json()) as Json;
    } catch (error) {
      throw createInvalidResponseError(this.name, 'its body is not valid JSON', response.convertError(error));
    }
    const choice = (Array.isArray(body.choices) ? body.choices[0] : undefined) as Json | undefined;
    const message = choice?.message as Json | undefined;
    if (!choice || !message) throw createInvalidResponseError(this.name, 'it has no choices[0].message');
    const text = typeof message.content === 'string' ? message.content : '';
    const toolCalls: ToolCall[] = Array.isArray(message.tool_calls)
      ? message.tool_calls.map((call: Json) => {
          const fn = (call.function ?? {}) as Json;
          return {
            id: String(call.id ?? ''),
            name: String(fn.name ?? ''),
            arguments: String(fn.arguments ?? ''),
          };
        })
      : [];
    const logprobs = convertOpenAILogprobs(choice.logprobs);
    const confidence = computeConfidence(logprobs.map((entry) => Math.exp(entry.logprob)));
    return {
      text,
      toolCalls,
      finishReason: mapOpenAIFinishReason(choice.finish_reason),
      usage: convertOpenAIUsage(body.usage) ?? countUsageLocally(request, text, this.countTokens),
      modelId: typeof body.model === 'string' ? body.model : this.modelId,
      ...(confidence ? { confidence } : {}),
      ...(request.logprobs && logprobs.length ? { logprobs } : {}),
      warnings: [],
    };
  }

  async *doStream(
    request: ChatRequest,
    signal: AbortSignal,
    events?: StreamEvents,
  ): AsyncGenerator<StreamPart> {
    const response = await this.post(request, true, signal);
    events?.onAccepted?.();
    let finishReason: FinishReason | undefined;
    let usage: Usage | undefined;
    let modelId = this.modelId;
    let text = '';
    let done = false;
    const probabilities: number[] = [];
    try {
      for await (const event of readServerSentEvents(response.body)) {
        // Events already buffered keep arriving after an abort; stop at the next one.
        if (signal.aborted) throw new ClientClosedError();
        if (event.data === '[DONE]') {
          done = true;
          break;
        }
        let chunk: Json;
        try {
          chunk = JSON.parse(event.data) as Json;
        } catch {
          throw createInvalidResponseError(
            this.name,
            `a stream chunk is not JSON: ${event.data.slice(0, 80)}`,
          );
        }
        if (chunk.error) {
          const error = chunk.error as Json;
          throw new UpstreamError({
            message: `Upstream '${this.name}' failed mid-stream: ${String(error.message ?? JSON.stringify(error))}`,
            code: 'upstream_stream_error',
            status: 502,
            isRetryable: true,
          });
        }
        if (typeof chunk.model === 'string') modelId = chunk.model;
        usage = convertOpenAIUsage(chunk.usage) ?? usage;
        const choice = (Array.isArray(chunk.choices) ? chunk.choices[0] : undefined) as Json | undefined;
        if (!choice) continue;
        const delta = (choice.delta ?? {}) as Json;
        const logprobs = convertOpenAILogprobs(choice.logprobs);
        for (const entry of logprobs) probabilities.push(Math.exp(entry.logprob));
        if (typeof delta.content === 'string' && delta.content !== '') {
          text += delta.content;
          yield {
            type: 'text-delta',
            delta: delta.content,
            ...(request.logprobs && logprobs.length ? { logprobs } : {}),
          };
        }
        if (Array.isArray(delta.tool_calls)) {
          for (const call of delta.tool_calls as Json[]) {
            const fn = (call.function ?? {}) as Json;
            yield {
              type: 'tool-call-delta',
              index: typeof call.index === 'number' ? call.index : 0,
              ...(typeof call.id === 'string' ? { id: call.id } : {}),
              ...(typeof fn.name === 'string' ? { name: fn.name } : {}),
              argumentsDelta: typeof fn.arguments === 'string' ? fn.arguments : '',
            };
          }
        }
        if (choice.finish_reason) finishReason = mapOpenAIFinishReason(choice.finish_reason);
      }
    } catch (error) {
      throw response.convertError(error);
    }
    if (!done && finishReason === undefined) {
      throw createInvalidResponseError(this.name, 'the stream ended before the answer was complete');
    }
    const confidence = computeConfidence(probabilities);
    yield {
      type: 'finish',
      finishReason: finishReason ?? 'other',
      usage: usage ?? countUsageLocally(request, text, this.countTokens),
      modelId,
      ...(confidence ? { confidence } : {}),
      warnings: done ? [] : ['the upstream stream ended without [DONE]'],
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
