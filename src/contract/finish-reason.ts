/** Why generation ended, in the gateway's own terms (mapped to OpenAI's names at the wire). */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';
