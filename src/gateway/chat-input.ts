import type { ChatRequest } from '../contract/index.js';
import type { GatewayError } from '../errors/index.js';
import type { Access } from './access/access-control.js';

/** A chat request as an inbound API parsed it: what to run, and whether the client streams. */
export interface ParsedChat {
  /** The `model` the client asked for: `auto`, a configured model or an alias. */
  model: string;
  request: ChatRequest;
  stream: boolean;
}

/** One chat request as it reaches the gateway from an inbound API (OpenAI's today). */
export interface ChatInput {
  id: string;
  api: 'openai';
  /** Arrival, epoch milliseconds and on the monotonic clock (for durations). */
  receivedAt: number;
  receivedAtMonotonic: number;
  /** The tenant a header named (else `metadata.tenant` is read once the body is parsed). */
  tenant: string | null;
  /** The `x-switchyard-route` header, which forces a configured model. */
  routeHeader?: string | undefined;
  /** The body's `model` as sent, kept for the log even when the body is refused. */
  requestedModel: string | null;
  /** The parsed request, or why it was refused before it could be run. */
  parsed: ParsedChat | { refused: GatewayError };
  /** The key and tenant that authorised the request, when virtual keys are on. */
  access?: Access | undefined;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}
