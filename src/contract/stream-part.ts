import type { Confidence, TokenLogprob } from './chat-result.js';
import type { FinishReason } from './finish-reason.js';
import type { Usage } from './usage.js';

/**
 * One event of a streamed answer. A stream is any number of deltas followed by exactly one
 * `finish`, or by an `error` when the upstream fails after it started answering.
 */
export type StreamPart =
  | { type: 'text-delta'; delta: string; logprobs?: TokenLogprob[] }
  | {
      type: 'tool-call-delta';
      /** Position of the call in this answer; deltas with the same index belong to one call. */
      index: number;
      id?: string;
      name?: string;
      argumentsDelta: string;
    }
  | {
      type: 'finish';
      finishReason: FinishReason;
      usage: Usage;
      modelId: string;
      confidence?: Confidence;
      warnings: string[];
    }
  | { type: 'error'; error: unknown };
