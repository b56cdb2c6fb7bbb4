import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';

/**
 * The context's `parallel` sequences, created once and handed to one request at a time. The
 * request queue in front admits at most `parallel` requests, so `take` always finds one.
 */
export class SequencePool {
  private readonly context: LlamaContext;
  private readonly free: LlamaContextSequence[] = [];

  constructor(context: LlamaContext, size: number) {
    this.context = context;
    for (let slot = 0; slot < size; slot += 1) this.free.push(context.getSequence());
  }

  take(): LlamaContextSequence {
    const sequence = this.free.pop();
    if (!sequence)
      throw new Error('no free context sequence: the request queue and the pool are out of step');
    return sequence;
  }

  /**
   * Back to the pool with an empty history. Disposing would free the slot only after an
   * asynchronous cleanup, so the next request could find none left; clearing keeps it ready.
   */
  async give(sequence: LlamaContextSequence, closed: boolean): Promise<void> {
    try {
      await sequence.clearHistory();
      this.free.push(sequence);
    } catch {
      sequence.dispose();
      if (!closed) this.free.push(this.context.getSequence());
    }
  }
}
