import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concatPoints, decodeChunk, encodeChunk, lowerBound, mergePoints, sortPoints } from './scalar-chunks.js';

const pts = (iters: number[], values: number[], ts?: number[]) => sortPoints(iters, values, ts ?? iters.map((i) => 1000 + i));
const cols = (p: { iters: Float64Array; values: Float64Array }) => ({ iters: Array.from(p.iters), values: Array.from(p.values) });

describe('scalar chunks', () => {
  test('encode then decode gives the same points, aligned or not', () => {
    const p = pts([1, 2, 3, 10], [0.1, -2.5, 1e300, 7]);
    const chunk = encodeChunk(p, 1, 4);
    assert.equal(chunk.byteLength, 3 * 3 * 8);
    assert.deepEqual(cols(decodeChunk(chunk, 3)), { iters: [2, 3, 10], values: [-2.5, 1e300, 7] });
    const shifted = Buffer.alloc(chunk.byteLength + 1);
    chunk.copy(shifted, 1);
    const unaligned = shifted.subarray(1);
    assert.notEqual(unaligned.byteOffset % 8, 0);
    const d = decodeChunk(unaligned, 3);
    assert.deepEqual(cols(d), { iters: [2, 3, 10], values: [-2.5, 1e300, 7] });
    assert.deepEqual(Array.from(d.timestamps), [1002, 1003, 1010]);
  });

  test('a chunk whose size does not match its count is refused', () => {
    assert.throws(() => decodeChunk(Buffer.alloc(10), 1), /corrupt scalar chunk/);
  });

  test('sorting keeps the last report of an iteration', () => {
    const p = pts([5, 1, 5, 3, 1], [50, 10, 51, 30, 11]);
    assert.deepEqual(cols(p), { iters: [1, 3, 5], values: [11, 30, 51] });
  });

  test('merging replaces stored iterations and interleaves new ones', () => {
    const stored = pts([1, 2, 4, 6], [1, 2, 4, 6]);
    const incoming = pts([0, 2, 5, 6, 9], [0, 20, 50, 60, 90]);
    assert.deepEqual(cols(mergePoints(stored, incoming)), { iters: [0, 1, 2, 4, 5, 6, 9], values: [0, 1, 20, 4, 50, 60, 90] });
  });

  test('concat and lowerBound', () => {
    const p = concatPoints([pts([1, 2], [1, 2]), pts([], []), pts([7], [7])]);
    assert.deepEqual(cols(p), { iters: [1, 2, 7], values: [1, 2, 7] });
    assert.deepEqual([0, 1, 2, 3, 8].map((i) => lowerBound(p.iters, i)), [0, 0, 1, 2, 3]);
    assert.equal(concatPoints([]).iters.length, 0);
  });
});
