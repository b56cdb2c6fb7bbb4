import type { LlamaContextSequence } from 'node-llama-cpp';

/**
 * node-llama-cpp's LlamaChat samples through `sequence.evaluate`, which discards the selected
 * token's probability. This swaps that one sequence's `evaluate` for the same loop over
 * `evaluateWithMetadata(..., {confidence: true})`, recording each probability. Sequences are
 * pooled, and each request installs its own recorder before it generates, so no request records
 * into another's array.
 */
export function captureTokenProbabilities(sequence: LlamaContextSequence): number[] {
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
  return probabilities;
}
