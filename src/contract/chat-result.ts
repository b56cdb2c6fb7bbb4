import type { FinishReason } from './finish-reason.js';
import type { ToolCall } from './message.js';
import type { Usage } from './usage.js';

/** Probability of one generated token and, when asked, its most likely alternatives. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  topLogprobs: { token: string; logprob: number }[];
}

/** How sure the model was of its own answer: statistics over the selected tokens' probabilities. */
export interface Confidence {
  meanTokenProbability: number;
  minTokenProbability: number;
  tokenCount: number;
}

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** The model id the upstream says answered (may be a dated snapshot of the configured id). */
  modelId: string;
  confidence?: Confidence;
  /** Present only when the request asked for logprobs and the backend supports them. */
  logprobs?: TokenLogprob[];
  /** Settings the backend could not honour; the request still ran. */
  warnings: string[];
}
