import type { LlamaContextSequence } from 'node-llama-cpp';

/**
 * node-llama-cpp's LlamaChat samples through `sequence.evaluate`, which discards the selected
 * token's probability. This swaps that one sequence's `evaluate` for the same loop over
 * `evaluateWithMetadata(..., {confidence: true})`, recording each probability, until `release`.
 * It is not free: asking for each token's probability slows decoding a lot (bench/slm/RESULTS.md
 * has the figures), so the backend installs it only for requests whose confidence will be judged.
 * Sequences are pooled; a request installs its recorder before it generates and releases it after,
 * so no request records into another's array or pays for another's capture.
 */
export function captureTokenProbabilities(sequence: LlamaContextSequence): {
  probabilities: number[];
  release(): void;
} {
  const probabilities: number[] = [];
  const evaluateWithMetadata = sequence.evaluateWithMetadata.bind(sequence);
  const evaluate: LlamaContextSequence['evaluate'] = async function* evaluateRecordingConfidence(
    tokens,
    options,
  ) {
    const iterator = evaluateWithMetadata(tokens, { confidence: true }, options);
    let input: Parameters<typeof iterator.next>[0];
    try {
      while (true) {
        const { value, done } = await iterator.next(input);
        if (done) return;
        probabilities.push(value.confidence);
        input = yield value.token;
      }
    } finally {
      await iterator.return();
    }
  };
  Object.defineProperty(sequence, 'evaluate', { value: evaluate, configurable: true });
  return {
    probabilities,
    // The own property shadowed the prototype's method; removing it restores plain evaluation.
    release: () => delete (sequence as { evaluate?: unknown }).evaluate,
  };
}
