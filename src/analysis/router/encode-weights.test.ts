import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWeights, entryClass, entryValue, ROW_SCALES } from '../../routing/index.js';
import { encodeWeights } from './encode-weights.js';

describe('encodeWeights', () => {
  it('writes what the router decodes, within int8 quantisation error and drops weights below the threshold', () => {
    const dense = new Float32Array([0.5, -0.25, 0, 0.001, 0, 0, 3, -1.5]);
    const packed = decodeWeights(encodeWeights(dense, 4, 2, 0.01), 4);
    const restored = new Float32Array(8);
    for (let row = 0; row < 4; row += 1) {
      for (
        let entry = packed.rowStart[row] as number;
        entry < (packed.rowStart[row + 1] as number);
        entry += 1
      ) {
        const stored = packed.entries[entry] as number;
        restored[row * 2 + entryClass(stored)] =
          entryValue(stored) * (ROW_SCALES[packed.scaleCode[row] as number] as number);
      }
    }
    dense.forEach((value, index) => {
      const expected = Math.abs(value) < 0.01 ? 0 : value;
      assert.ok(
        Math.abs((restored[index] as number) - expected) <= Math.abs(expected) * 0.02 + 1e-9,
        `${index}`,
      );
    });
  });
});
