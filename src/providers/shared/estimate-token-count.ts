/**
 * A rough token count for text an upstream reported no usage for: about four characters per token
 * for English with BPE vocabularies. Results carry `source: 'counted'` so nobody mistakes them
 * for billed numbers.
 */
export function estimateTokenCount(text: string): number {
  if (text.length === 0) return 0;
  return Math.max(1, Math.ceil(text.length / 4));
}
