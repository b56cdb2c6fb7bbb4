import type { ChatResult, StreamPart } from '../contract/index.js';
import type { GatewayError } from '../errors/index.js';

/** The route facts a response's headers carry. */
export interface RouteHeaders {
  /** The model answering (for a stream: the one that accepted it). */
  model: string;
  reasonText: string;
  escalated: boolean;
}

/** What an answer's end carries: the route facts as they ended, and what it cost. */
export interface AnswerSummary extends RouteHeaders {
  costUsd: number | null;
  baselineCostUsd: number | null;
}

/**
 * How the gateway delivers an answer on an inbound API's wire (JSON or SSE for OpenAI's). The
 * gateway decides what to say and when; the responder only renders it.
 */
export interface ChatResponder {
  /** True once a stream's status and headers went out: errors then go into the stream. */
  readonly opened: boolean;
  /** Headers every answer to this request carries, whatever it turns out to be (rate limits). */
  addHeaders(headers: Record<string, string>): void;
  /** A whole answer, with its route headers and cost. */
  sendResult(result: ChatResult, summary: AnswerSummary): Promise<void>;
  /** Commits a stream: status 200, the route headers, and the opening of the answer. */
  openStream(route: RouteHeaders): Promise<void>;
  /** One part of the answer; resolves once the client took it, or left. */
  writePart(part: StreamPart): Promise<void>;
  /** Ends an opened stream: an error event first when given, then the cost as trailers. */
  endStream(summary: AnswerSummary, error?: GatewayError): Promise<void>;
  /** A failure before anything was sent; `route` when a routing decision was made. */
  sendError(error: GatewayError, route?: RouteHeaders): Promise<void>;
}
