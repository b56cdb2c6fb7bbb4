import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import {
  type ChatModelFunctions,
  type ChatWrapper,
  getLlama,
  type Llama,
  LlamaChat,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  LlamaLogLevel,
  type LlamaModel,
  resolveChatWrapper,
} from 'node-llama-cpp';
import type { LlamaCppModelConfig } from '../../config/index.js';
import type {
  ChatModel,
  ChatRequest,
  ChatResult,
  FinishReason,
  Readiness,
  StreamPart,
  ToolCall,
} from '../../contract/index.js';
import { ClientClosedError, InvalidRequestError, UpstreamTimeoutError } from '../../errors/index.js';
import { computeConfidence } from '../shared/index.js';
import { AsyncPushQueue } from './async-push-queue.js';
import { captureTokenProbabilities } from './capture-token-probabilities.js';
import { convertToGrammarSchema } from './convert-to-grammar-schema.js';
import { convertToLlamaHistory } from './convert-to-llama-history.js';
import { RequestQueue } from './request-queue.js';

/** Threads for generation: the configured count capped at the machine's cores, else cores - 1. */
export function resolveThreadCount(configured: number | undefined): number {
  const cores = availableParallelism();
  if (configured !== undefined) return Math.min(configured, cores);
  return Math.max(1, cores - 1);
}

const llamaByGpu = new Map<string, Promise<Llama>>();

/** One native llama.cpp runtime per GPU setting, shared by every embedded model. */
function getSharedLlama(gpu: LlamaCppModelConfig['gpu']): Promise<Llama> {
  const key = String(gpu);
  let llama = llamaByGpu.get(key);
  if (!llama) {
    llama = getLlama({ gpu, logLevel: LlamaLogLevel.error, progressLogs: false });
    llamaByGpu.set(key, llama);
  }
  return llama;
}

interface Generation {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  inputTokens: number;
  outputTokens: number;
  probabilities: number[];
}

/**
 * The embedded small model: a GGUF run in-process by node-llama-cpp. Each request gets its own
 * context sequence (so usage and confidence are exact per request) behind a bounded queue.
 */
export class LlamaCppChatModel implements ChatModel {
  readonly provider = 'llama-cpp' as const;
  readonly isLocal = true;
  readonly name: string;
  readonly modelId: string;
  readonly threads: number;
  readonly queue: RequestQueue;
  private readonly config: LlamaCppModelConfig;
  private readonly llama: Llama;
  private readonly model: LlamaModel;
  private readonly context: LlamaContext;
  private readonly chatWrapper: ChatWrapper;
  private readonly grammarCache = new Map<string, Promise<LlamaGrammar>>();
  /** One context sequence per parallel slot, created at load and reused (see generate). */
  private readonly freeSequences: LlamaContextSequence[] = [];
  private closed = false;

  private constructor(options: {
    name: string;
    config: LlamaCppModelConfig;
    modelPath: string;
    threads: number;
    llama: Llama;
    model: LlamaModel;
    context: LlamaContext;
  }) {
    this.name = options.name;
    this.config = options.config;
    this.modelId = basename(options.modelPath).replace(/\.gguf$/i, '');
    this.threads = options.threads;
    this.llama = options.llama;
    this.model = options.model;
    this.context = options.context;
    this.chatWrapper = resolveChatWrapper(options.model);
    for (let slot = 0; slot < options.config.parallel; slot += 1)
      this.freeSequences.push(this.context.getSequence());
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
    const context = await model.createContext({
      contextSize: Math.min(config.contextSize, model.trainContextSize),
      sequences: config.parallel,
      threads,
    });
    return new LlamaCppChatModel({ ...options, threads, llama, model, context });
  }

  get chatTemplateName(): string {
    return this.chatWrapper.wrapperName;
  }

  /** Counted with the GGUF's own vocabulary. */
  readonly countsExactly = true;

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
    const generating = this.generate(request, signal, (delta) => {
      if (delta !== '') parts.push({ type: 'text-delta', delta });
    });
    generating.then(
      (generation) => {
        generation.toolCalls.forEach((call, index) => {
          parts.push({
            type: 'tool-call-delta',
            index,
            id: call.id,
            name: call.name,
            argumentsDelta: call.arguments,
          });
        });
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
    if (typeof request.toolChoice === 'object' || request.toolChoice === 'required') {
      warnings.push('tool_choice can offer tools to the embedded model but cannot force a call');
    }
    return warnings;
  }

  private checkLimits(request: ChatRequest): number {
    const contextSize = this.context.contextSize;
    const ceiling = this.config.maxOutputTokens ?? contextSize;
    if (request.maxOutputTokens !== undefined && request.maxOutputTokens > Math.min(ceiling, contextSize)) {
      throw new InvalidRequestError({
        message: `max_tokens is ${request.maxOutputTokens}, but model '${this.name}' can generate at most ${Math.min(ceiling, contextSize)} tokens.`,
        param: 'max_tokens',
        code: 'invalid_value',
      });
    }
    let promptTokens = 0;
    for (const message of request.messages) promptTokens += this.model.tokenize(message.content).length;
    const maxTokens = request.maxOutputTokens ?? ceiling;
    if (promptTokens >= contextSize) {
      throw new InvalidRequestError({
        message: `This model's maximum context length is ${contextSize} tokens, but the messages use about ${promptTokens}.`,
        param: 'messages',
        code: 'context_length_exceeded',
      });
    }
    return Math.min(maxTokens, contextSize - promptTokens);
  }

  private getGrammar(schema: Record<string, unknown> | 'json', param: string): Promise<LlamaGrammar> {
    const key = schema === 'json' ? 'json' : JSON.stringify(schema);
    let grammar = this.grammarCache.get(key);
    if (!grammar) {
      grammar = (
        schema === 'json'
          ? this.llama.getGrammarFor('json')
          : // Converted inside the chain, so a schema it cannot convert becomes the same 400.
            Promise.resolve(schema).then((value) =>
              // biome-ignore lint/suspicious/noExplicitAny: node-llama-cpp types the schema as its own GBNF subset.
              this.llama.createGrammarForJsonSchema(convertToGrammarSchema(value) as any),
            )
      ).catch((error: unknown) => {
        this.grammarCache.delete(key);
        throw new InvalidRequestError({
          message: `The embedded model cannot enforce this JSON schema: ${(error as Error).message}`,
          param,
          code: 'invalid_schema',
        });
      });
      if (this.grammarCache.size >= 256)
        this.grammarCache.delete(this.grammarCache.keys().next().value as string);
      this.grammarCache.set(key, grammar);
    }
    return grammar;
  }

  private async createConstraints(
    request: ChatRequest,
  ): Promise<{ grammar?: LlamaGrammar; functions?: ChatModelFunctions }> {
    const format = request.responseFormat;
    if (request.tools?.length && request.toolChoice !== 'none') {
      const choice = request.toolChoice;
      const tools =
        typeof choice === 'object'
          ? request.tools.filter((tool) => tool.name === choice.name)
          : request.tools;
      // Validate each schema up front so a bad one is a 400 now, not a failure mid-generation.
      await Promise.all(
        tools.map((tool, index) => this.getGrammar(tool.parameters, `tools[${index}].function.parameters`)),
      );
      const functions: ChatModelFunctions = Object.fromEntries(
        tools.map((tool) => [
          tool.name,
          {
            // biome-ignore lint/suspicious/noExplicitAny: validated above by building its grammar.
            params: convertToGrammarSchema(tool.parameters) as any,
            ...(tool.description !== undefined ? { description: tool.description } : {}),
          },
        ]),
      );
      return { functions };
    }
    if (format?.type === 'json_schema') {
      return { grammar: await this.getGrammar(format.schema, 'response_format.json_schema.schema') };
    }
    if (format?.type === 'json_object') return { grammar: await this.getGrammar('json', 'response_format') };
    return {};
  }

  private async generate(
    request: ChatRequest,
    signal: AbortSignal,
    onTextChunk: ((text: string) => void) | undefined,
  ): Promise<Generation> {
    const maxTokens = this.checkLimits(request);
    const constraints = await this.createConstraints(request);
    const release = await this.queue.acquire(signal);
    // The queue admits at most `parallel` requests, so a sequence is always free here.
    const sequence = this.freeSequences.pop();
    if (!sequence) {
      release();
      throw new Error(`model '${this.name}' has no free context sequence (queue and pool out of step)`);
    }
    const meterAtStart = sequence.tokenMeter.getState();
    // Token probabilities cost decoding speed: recorded only when the answer's confidence is judged.
    const capture = request.confidenceRequested ? captureTokenProbabilities(sequence) : undefined;
    const chat = new LlamaChat({
      contextSequence: sequence,
      chatWrapper: this.chatWrapper,
      autoDisposeSequence: false,
    });
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
      const response = await chat.generateResponse(convertToLlamaHistory(request.messages), {
        maxTokens,
        temperature: request.temperature ?? 0,
        ...(request.topP !== undefined ? { topP: request.topP } : {}),
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        ...(request.stop?.length ? { customStopTriggers: request.stop } : {}),
        ...(constraints.grammar ? { grammar: constraints.grammar } : {}),
        ...(constraints.functions ? { functions: constraints.functions } : {}),
        ...(request.parallelToolCalls === false ? { maxParallelFunctionCalls: 1 } : {}),
        ...(onTextChunk ? { onTextChunk } : {}),
        signal: generation.signal,
        stopOnAbortSignal: false,
      } as Parameters<LlamaChat['generateResponse']>[1]);
      const meter = sequence.tokenMeter.getState();
      // The sequence is reused: usage is what this request added to its meter.
      meter.usedInputTokens -= meterAtStart.usedInputTokens;
      meter.usedOutputTokens -= meterAtStart.usedOutputTokens;
      const toolCalls: ToolCall[] = (response.functionCalls ?? []).map((call) => ({
        id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
        name: call.functionName,
        arguments: JSON.stringify(call.params ?? {}),
      }));
      return {
        text: response.response,
        toolCalls,
        finishReason: this.mapStopReason(response.metadata.stopReason, toolCalls.length > 0),
        inputTokens: meter.usedInputTokens,
        outputTokens: meter.usedOutputTokens,
        probabilities: capture?.probabilities ?? [],
      };
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
      capture?.release();
      chat.dispose({ disposeSequence: false });
      // Sequences are pooled: disposing one frees its slot only after an asynchronous cleanup, so
      // the next request could find none left. Clearing its history and keeping it avoids that.
      try {
        await sequence.clearHistory();
        this.freeSequences.push(sequence);
      } catch {
        sequence.dispose();
        if (!this.closed) this.freeSequences.push(this.context.getSequence());
      } finally {
        release();
      }
    }
  }

  private mapStopReason(reason: string, hasToolCalls: boolean): FinishReason {
    if (hasToolCalls || reason === 'functionCalls') return 'tool-calls';
    if (reason === 'maxTokens') return 'length';
    if (reason === 'abort') return 'other';
    return 'stop';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.dispose();
    await this.model.dispose();
  }
}
