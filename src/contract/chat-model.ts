import type { ChatRequest } from './chat-request.js';
import type { ChatResult } from './chat-result.js';
import type { StreamPart } from './stream-part.js';

export type ProviderKind = 'llama-cpp' | 'openai-compatible' | 'anthropic';

export interface Readiness {
  ready: boolean;
  /** A short sentence for /ready when not ready (or a note when ready). */
  detail?: string;
}

/** What a stream's consumer may want to hear about before the first part. */
export interface StreamEvents {
  /**
   * The upstream accepted the request and is generating (an HTTP backend answered 200). Called at
   * most once, before the first part; a failure after it still comes before the first part, so the
   * caller can still fall back. Backends with nothing earlier than their first token never call it.
   */
  onAccepted?(): void;
}

/**
 * A backend that answers chat requests. Providers throw GatewayErrors (from errors/) for failures
 * before the first stream part, so the caller can still fall back; after the first part they yield
 * an `error` part or throw, and the caller ends the client's stream cleanly.
 */
export interface ChatModel {
  /** The configured name (`models.<name>` in the config). */
  readonly name: string;
  readonly provider: ProviderKind;
  /** The upstream's model id (for the embedded backend, the GGUF file name). */
  readonly modelId: string;
  /** True when the model runs inside the deployment's perimeter (data never leaves it). */
  readonly isLocal: boolean;
  doGenerate(request: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  doStream(request: ChatRequest, signal: AbortSignal, events?: StreamEvents): AsyncIterable<StreamPart>;
  /**
   * Tokens in `text` by this model's own tokenizer where known (the GGUF vocabulary, OpenAI's BPE
   * encodings), else an estimate; `countsExactly` says which.
   */
  countTokens(text: string): number;
  readonly countsExactly: boolean;
  /** Requests running and waiting, for backends that queue (the embedded model). */
  queueDepth?(): { running: number; waiting: number };
  readiness(): Readiness;
  close(): Promise<void>;
}
