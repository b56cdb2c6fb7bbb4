import type { Message } from './message.js';

/** A function the model may call; `parameters` is a JSON schema object. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean };

/**
 * What a provider is asked to do, independent of the wire format it arrived in and of which
 * model will serve it (the provider knows its own upstream model id).
 */
export interface ChatRequest {
  messages: Message[];
  /** Upper bound on generated tokens (OpenAI `max_completion_tokens`, or `max_tokens`). */
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Ask the backend for token log-probabilities (returned to the client when it asked). */
  logprobs?: boolean;
  topLogprobs?: number;
  /**
   * Set by the router, not the client: compute answer confidence even when the client did not ask
   * for logprobs (escalation needs it). HTTP backends then request logprobs from the upstream but
   * return them only when `logprobs` is set.
   */
  confidenceRequested?: boolean;
  /** End-user id, passed through for the upstream's abuse monitoring. */
  user?: string;
  metadata?: Record<string, string>;
}
