import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDenseScores, denseRowStride } from './dense-scorer.js';
import { ROW_SCALES } from './packed-weights.js';

/** A seeded generator (Park and Miller's), so that a failing case can be run again. */
function createTestRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

describe('addDenseScores', () => {
  it('adds exactly what the plain definition adds (the same sums in the same order), for any class count', () => {
    const random = createTestRandom(5);
    const rows = 64;
    for (let round = 0; round < 200; round += 1) {
      const classCount = 1 + (round % 24);
      const weights = Int8Array.from({ length: rows * classCount }, () => Math.floor(random() * 255) - 127);
      const scaleCode = Uint8Array.from({ length: rows }, () => Math.floor(random() * 256));
      // The matrix layout: each row's weights, then its scale code.
      const stride = denseRowStride(classCount);
      const matrix = new Int8Array(rows * stride);
      for (let row = 0; row < rows; row += 1) {
        matrix.set(weights.subarray(row * classCount, (row + 1) * classCount), row * stride);
        matrix[row * stride + classCount] = scaleCode[row] as number;
      }
      const featureCount = Math.floor(random() * 300);
      const indices = Int32Array.from({ length: featureCount }, () => Math.floor(random() * rows));
      const values = Float32Array.from({ length: featureCount }, () => (random() - 0.3) * 4);
      const start = Float64Array.from({ length: classCount }, () => random() - 0.5);
      // Each weight times its row's scale times the feature's value, added feature by feature.
      const expected = Float64Array.from(start);
      for (let index = 0; index < featureCount; index += 1) {
        const row = indices[index] as number;
        const scale = ROW_SCALES[scaleCode[row] as number] as number;
        for (let k = 0; k < classCount; k += 1) {
          const weight = weights[row * classCount + k] as number;
          expected[k] = (expected[k] as number) + weight * ((values[index] as number) * scale);
        }
      }
      const scores = Float64Array.from(start);
      // One feature fewer than the arrays hold: `length` bounds what is read.
      const length = Math.max(0, featureCount - 1);
      addDenseScores(indices, values, featureCount, matrix, ROW_SCALES, scores);
      assert.deepEqual(scores, expected, `round ${round}, ${classCount} classes`);
      const partial = Float64Array.from(start);
      addDenseScores(indices, values, length, matrix, ROW_SCALES, partial);
      if (featureCount > 0) assert.notDeepEqual(partial, scores);
    }
  });

  it('leaves the scores as they are for a text with no features', () => {
    const scores = Float64Array.from([0.25, -1]);
    addDenseScores(new Int32Array(4), new Float32Array(4), 0, new Int8Array(12), ROW_SCALES, scores);
    assert.deepEqual(scores, Float64Array.from([0.25, -1]));
  });
});
