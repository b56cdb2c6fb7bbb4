/**
 * GGML tensor types: elements per block and bytes per block (llama.cpp `ggml.c` type traits).
 * A tensor of n elements takes ceil(n / block) × bytes.
 */
export const GGML_TYPES: Readonly<Record<number, { name: string; block: number; bytes: number }>> = {
  0: { name: 'f32', block: 1, bytes: 4 },
  1: { name: 'f16', block: 1, bytes: 2 },
  2: { name: 'q4_0', block: 32, bytes: 18 },
  3: { name: 'q4_1', block: 32, bytes: 20 },
  6: { name: 'q5_0', block: 32, bytes: 22 },
  7: { name: 'q5_1', block: 32, bytes: 24 },
  8: { name: 'q8_0', block: 32, bytes: 34 },
  9: { name: 'q8_1', block: 32, bytes: 36 },
  10: { name: 'q2_k', block: 256, bytes: 84 },
  11: { name: 'q3_k', block: 256, bytes: 110 },
  12: { name: 'q4_k', block: 256, bytes: 144 },
  13: { name: 'q5_k', block: 256, bytes: 176 },
  14: { name: 'q6_k', block: 256, bytes: 210 },
  15: { name: 'q8_k', block: 256, bytes: 292 },
  16: { name: 'iq2_xxs', block: 256, bytes: 66 },
  17: { name: 'iq2_xs', block: 256, bytes: 74 },
  18: { name: 'iq3_xxs', block: 256, bytes: 98 },
  19: { name: 'iq1_s', block: 256, bytes: 50 },
  20: { name: 'iq4_nl', block: 32, bytes: 18 },
  21: { name: 'iq3_s', block: 256, bytes: 110 },
  22: { name: 'iq2_s', block: 256, bytes: 82 },
  23: { name: 'iq4_xs', block: 256, bytes: 136 },
  24: { name: 'i8', block: 1, bytes: 1 },
  25: { name: 'i16', block: 1, bytes: 2 },
  26: { name: 'i32', block: 1, bytes: 4 },
  27: { name: 'i64', block: 1, bytes: 8 },
  28: { name: 'f64', block: 1, bytes: 8 },
  29: { name: 'iq1_m', block: 256, bytes: 56 },
  30: { name: 'bf16', block: 1, bytes: 2 },
  34: { name: 'tq1_0', block: 256, bytes: 54 },
  35: { name: 'tq2_0', block: 256, bytes: 66 },
};

/**
 * Average bits per weight of whole models per quantisation preset, as llama.cpp's `quantize` tool
 * reports them for Llama-class models (K-quant presets mix types: attention and output tensors
 * keep more bits, hence q4_k_m at 4.85 rather than 4.5).
 */
export const PRESET_BITS_PER_WEIGHT: Readonly<Record<string, number>> = {
  f32: 32,
  f16: 16,
  bf16: 16,
  q8_0: 8.5,
  q6_k: 6.56,
  q5_k_m: 5.69,
  q5_k_s: 5.54,
  q5_0: 5.5,
  q4_k_m: 4.85,
  q4_k_s: 4.58,
  q4_0: 4.55,
  iq4_xs: 4.25,
  q3_k_m: 3.91,
  q3_k_s: 3.5,
  q2_k: 3.35,
};

/** Bytes per element of a KV-cache type. */
export const KV_BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  f32: 4,
  f16: 2,
  bf16: 2,
  q8_0: 34 / 32,
  q4_0: 18 / 32,
};
