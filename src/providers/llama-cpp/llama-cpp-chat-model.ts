import { basename, resolve } from 'node:path';
import {
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaModel,
  resolveChatWrapper,
} from 'node-llama-cpp';
import type { LlamaCppModelConfig } from '../../config/index.js';
import type { ChatModel, ChatRequest, ChatResult, Readiness, StreamPart } from '../../contract/index.js';
import { ClientClosedError, InvalidRequestError, UpstreamTimeoutError } from '../../errors/index.js';
import { computeConfidence } from '../shared/index.js';
import { AsyncPushQueue } from './async-push-queue.js';
import { BatchGate } from './batch-gate.js';
import { checkLoraAdapter } from './check-lora-adapter.js';
import { type Constraints, createConstraints } from './create-constraints.js';
import { ForcedCallStream } from './forced-tool-call.js';
import { type Generation, generateOnSequence } from './generate-on-sequence.js';
import { GrammarCache } from './grammar-cache.js';
import { RequestQueue } from './request-queue.js';
import { SequencePool } from './sequence-pool.js';
import { getSharedLlama, resolveThreadCount } from './shared-llama.js';

/** How long a batch may wait for a generating sequence's next token (see BatchGate). */
const BATCH_WAIT_MS = 2;

/**
 * The embedded small model: a GGUF run in-process by node-llama-cpp. One context holds `parallel`
 * sequences; each running request has one of them, and node-llama-cpp decodes the pending tokens
 * of all of them in one batch, so concurrent requests share forward passes. A bounded queue holds
 * the requests that wait for a sequence.
 */
export class LlamaCppChatModel implements ChatModel {
  readonly provider = 'llama-cpp' as const;
  readonly isLocal = true;
  readonly name: string;
  readonly modelId: string;
  readonly threads: number;
  readonly queue: RequestQueue;
  /** Counted with the GGUF's own vocabulary. */
  readonly countsExactly = true;
  private readonly config: LlamaCppModelConfig;
  private readonly model: LlamaModel;
  private readonly context: LlamaContext;
  private readonly chatWrapper: ChatWrapper;
  private readonly grammars: GrammarCache;
  private readonly sequences: SequencePool;
  /** Holds each batch until every generating request has queued its token. */
  readonly batchGate: BatchGate;
  private closed = false;

  private constructor(options: {
    name: string;
    config: LlamaCppModelConfig;
    modelPath: string;
    threads: number;
    llama: Llama;
    model: LlamaModel;
    context: LlamaContext;
    batchGate: BatchGate;
  }) {
    this.name = options.name;
    this.config = options.config;
    this.modelId = basename(options.modelPath).replace(/\.gguf$/i, '');
    this.threads = options.threads;
    this.model = options.model;
    this.context = options.context;
    this.batchGate = options.batchGate;
    this.chatWrapper = resolveChatWrapper(options.model);
    this.grammars = new GrammarCache(options.llama);
    this.sequences = new SequencePool(options.context, options.config.parallel);
    this.queue = new RequestQueue({
      modelName: options.name,
      concurrency: options.config.parallel,
      maxWaiting: options.config.queue.maxWaiting,
      timeoutMs: options.config.queue.timeoutMs,
    });
  }

  /** Loads the GGUF at `modelPath` (already resolved and verified) and creates its context. */
  static async load(options: {
    name: string;
    config: LlamaCppModelConfig;
    modelPath: string;
  }): Promise<LlamaCppChatModel> {
    const { config } = options;
    const threads = resolveThreadCount(config.threads);
    const llama = await getSharedLlama(config.gpu);
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const adapters = config.lora.map((adapter) => ({
      filePath: resolve(adapter.path),
      scale: adapter.scale,
    }));
    const batchGate = new BatchGate(BATCH_WAIT_MS);
    let context: LlamaContext;
    try {
      for (const adapter of adapters) await checkLoraAdapter(adapter.filePath, model.fileInfo);
      context = await model.createContext({
        contextSize: Math.min(config.contextSize, model.trainContextSize),
        sequences: config.parallel,
        threads,
        // llama.cpp's own tools default to flash attention where the backend has it.
        flashAttention: config.flashAttention,
        ...(config.batchSize !== undefined ? { batchSize: config.batchSize } : {}),
        batching: { itemPrioritizationStrategy: batchGate.strategy },
        ...(adapters.length > 0 ? { lora: { adapters } } : {}),
      } as Parameters<LlamaModel['createContext']>[0]);
    } catch (error) {
      await model.dispose();
      throw error;
    }
    return new LlamaCppChatModel({ ...options, threads, llama, model, context, batchGate });
  }

  get chatTemplateName(): string {
    return this.chatWrapper.wrapperName;
  }

  countTokens(text: string): number {
    return text === '' ? 0 : this.model.tokenize(text).length;
  }

  queueDepth(): { running: number; waiting: number } {
    return this.queue.depth;
  }

  readiness(): Readiness {
    return this.closed ? { ready: false, detail: 'model is closed' } : { ready: true };
  }

  async doGenerate(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const generation = await this.generate(request, signal, undefined);
    const confidence = computeConfidence(generation.probabilities);
    return {
      text: generation.text,
      toolCalls: generation.toolCalls,
      finishReason: generation.finishReason,
      usage: this.createUsage(generation),
      modelId: this.modelId,
      ...(confidence ? { confidence } : {}),
      warnings: this.collectWarnings(request),
    };
  }

  async *doStream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<StreamPart> {
    const parts = new AsyncPushQueue<StreamPart>();
    let forced: ForcedCallStream | undefined;
    const pushCallDeltas = (deltas: ReturnType<ForcedCallStream['push']>) => {
      for (const delta of deltas) parts.push({ type: 'tool-call-delta', index: 0, ...delta });
    };
    const generating = this.generate(request, signal, (constraints) => {
      // A forced call's text is the call itself: it streams as tool-call deltas, never as text.
      if (constraints.forcedCall) {
        const stream = new ForcedCallStream(constraints.forcedCall);
        forced = stream;
        return (chunk) => pushCallDeltas(stream.push(chunk));
      }
      return (delta) => {
        if (delta !== '') parts.push({ type: 'text-delta', delta });
      };
    });
    generating.then(
      (generation) => {
        if (forced) pushCallDeltas(forced.end());
        else {
          generation.toolCalls.forEach((call, index) => {
            parts.push({
              type: 'tool-call-delta',
              index,
              id: call.id,
              name: call.name,
              argumentsDelta: call.arguments,
            });
          });
        }
        const confidence = computeConfidence(generation.probabilities);
        parts.push({
          type: 'finish',
          finishReason: generation.finishReason,
          usage: this.createUsage(generation),
          modelId: this.modelId,
          ...(confidence ? { confidence } : {}),
          warnings: this.collectWarnings(request),
        });
        parts.end();
      },
      (error: unknown) => parts.fail(error),
    );
    yield* parts;
  }

  private createUsage(generation: Generation) {
    return {
      inputTokens: generation.inputTokens,
      outputTokens: generation.outputTokens,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: 0,
      source: 'upstream' as const,
    };
  }

  private collectWarnings(request: ChatRequest): string[] {
    const warnings: string[] = [];
    if (request.logprobs) warnings.push('logprobs are not returned by the embedded model');
    if (request.frequencyPenalty || request.presencePenalty) {
      warnings.push('frequency_penalty and presence_penalty are ignored by the embedded model');
    }
    return warnings;
  }

  private checkLimits(request: ChatRequest): number {
    const contextSize = this.context.contextSize;
    const ceiling = Math.min(this.config.maxOutputTokens ?? contextSize, contextSize);
    if (request.maxOutputTokens !== undefined && request.maxOutputTokens > ceiling) {
      throw new InvalidRequestError({
        message: `max_tokens is ${request.maxOutputTokens}, but model '${this.name}' can generate at most ${ceiling} tokens.`,
        param: 'max_tokens',
        code: 'invalid_value',
      });
    }
    let promptTokens = 0;
    for (const message of request.messages) promptTokens += this.model.tokenize(message.content).length;
    if (promptTokens >= contextSize) {
      throw new InvalidRequestError({
        message: `This model's maximum context length is ${contextSize} tokens, but the messages use about ${promptTokens}.`,
        param: 'messages',
        code: 'context_length_exceeded',
      });
    }
    return Math.min(request.maxOutputTokens ?? ceiling, contextSize - promptTokens);
  }

  private async generate(
    request: ChatRequest,
    signal: AbortSignal,
    createTextSink: ((constraints: Constraints) => (text: string) => void) | undefined,
  ): Promise<Generation> {
    const maxTokens = this.checkLimits(request);
    const constraints = await createConstraints(request, this.grammars);
    const release = await this.queue.acquire(signal);
    let sequence: ReturnType<SequencePool['take']>;
    try {
      sequence = this.sequences.take();
    } catch (error) {
      release();
      throw error;
    }
    // node-llama-cpp takes a real AbortSignal: one per generation (small beside the work of even one
    // token), aborted by the client leaving or by the time budget.
    const generation = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      generation.abort();
    }, this.config.timeoutMs);
    timer.unref();
    const onClientGone = () => generation.abort();
    signal.addEventListener('abort', onClientGone, { once: true });
    if (signal.aborted) generation.abort();
    try {
      return await generateOnSequence({
        sequence,
        batchGate: this.batchGate,
        chatWrapper: this.chatWrapper,
        request,
        constraints,
        maxTokens,
        signal: generation.signal,
        ...(createTextSink ? { onTextChunk: createTextSink(constraints) } : {}),
      });
    } catch (error) {
      if (signal.aborted) throw new ClientClosedError();
      if (timedOut) {
        throw new UpstreamTimeoutError({
          model: this.name,
          phase: 'total',
          timeoutMs: this.config.timeoutMs,
          cause: error,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onClientGone);
      await this.sequences.give(sequence, this.closed);
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.dispose();
    await this.model.dispose();
  }
}
