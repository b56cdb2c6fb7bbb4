import type {
  BatchItem,
  CustomBatchingPrioritizationStrategy,
  LlamaContextSequence,
  PrioritizedBatchItem,
} from 'node-llama-cpp';

/**
 * Makes concurrent generations share each forward pass. node-llama-cpp starts the next batch as
 * soon as the last one's tokens are sampled, but a sequence queues its next token only after its
 * generation code has run on the sampled one, so the sequence sampled last always missed the batch:
 * two streams alternated, one token per pass each, and N streams decoded N-1 tokens a pass.
 *
 * As node-llama-cpp's batch prioritization strategy, the gate holds a batch back (by choosing no
 * items, which makes node-llama-cpp look again after the pending promise callbacks have run) until
 * every generating sequence has queued its token, or `maxWaitMs` has passed. A sequence counts once
 * its prompt has been evaluated, so a request still preparing its prompt does not hold others up.
 */
export class BatchGate {
  private readonly joined = new Set<Pick<LlamaContextSequence, 'nextTokenIndex'>>();
  private heldSince: number | undefined;
  /**
   * Batches released because every generating sequence had queued, or because the wait ran out;
   * and how many held more than one sequence's tokens.
   */
  readonly released = { full: 0, timedOut: 0, shared: 0 };
  private readonly maxWaitMs: number;

  constructor(maxWaitMs: number) {
    this.maxWaitMs = maxWaitMs;
  }

  /** A generation on `sequence` (with an empty history) whose tokens passes wait for; returns its leave. */
  join(sequence: Pick<LlamaContextSequence, 'nextTokenIndex'>): () => void {
    this.joined.add(sequence);
    return () => this.joined.delete(sequence);
  }

  private countGenerating(): number {
    let generating = 0;
    for (const sequence of this.joined) if (sequence.nextTokenIndex > 0) generating += 1;
    return generating;
  }

  readonly strategy: CustomBatchingPrioritizationStrategy = ({ items, size }) => {
    if (items.length < this.countGenerating()) {
      const now = performance.now();
      this.heldSince ??= now;
      if (now - this.heldSince < this.maxWaitMs) return [];
      this.released.timedOut += 1;
    } else this.released.full += 1;
    if (items.length > 1) this.released.shared += 1;
    this.heldSince = undefined;
    return shareBatch(items, size);
  };
}

/**
 * Every item gets an equal share of the batch (a pending token each, when decoding), and what is
 * left goes to the items with more tokens (prompts), higher evaluation priority first: the
 * behaviour of node-llama-cpp's default "maximumParallelism" strategy.
 */
export function shareBatch(items: readonly BatchItem[], size: number): PrioritizedBatchItem[] {
  let free = size;
  const share = Math.max(1, Math.floor(size / Math.max(1, items.length)));
  const result: PrioritizedBatchItem[] = [];
  for (const item of items) {
    if (free <= 0) break;
    const processAmount = Math.min(item.tokens.length, share, free);
    result.push({ item, processAmount });
    free -= processAmount;
  }
  const clipped = result
    .filter((entry) => entry.processAmount < entry.item.tokens.length)
    .sort((a, b) => b.item.evaluationPriority - a.item.evaluationPriority);
  for (const entry of clipped) {
    if (free <= 0) break;
    const more = Math.min(entry.item.tokens.length - entry.processAmount, free);
    entry.processAmount += more;
    free -= more;
  }
  return result;
}
