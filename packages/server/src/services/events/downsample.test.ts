import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bucketize, downsample, extremePoints, permute, sortOrder } from './downsample.js';

const range = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));

describe('downsample', () => {
  test('a series that fits is returned point by point', () => {
    const x = Float64Array.from([0, 1, 5, 7]);
    const y = Float64Array.from([0.5, -1, 3.25, 2]);
    const d = downsample(x, y, 10);
    assert.deepEqual(d.x, [0, 1, 5, 7]);
    assert.deepEqual(d.last, [0.5, -1, 3.25, 2]);
    assert.deepEqual(d.min, [0.5, -1, 3.25, 2]);
    assert.deepEqual(d.max, [0.5, -1, 3.25, 2]);
  });

  test('exactly `buckets` points are still exact', () => {
    const x = range(100, (i) => i);
    const y = range(100, (i) => i * i);
    assert.deepEqual(downsample(x, y, 100).last, Array.from(y));
  });

  test('an empty series gives empty columns', () => {
    const d = downsample(new Float64Array(0), new Float64Array(0), 2000);
    assert.deepEqual(d, { x: [], last: [], min: [], max: [] });
  });

  test('a one-point spike in a million points survives into its bucket', () => {
    const n = 1_000_000;
    const x = range(n, (i) => i);
    const y = range(n, (i) => (i === 654_321 ? 1e6 : i === 123_456 ? -5e5 : Math.sin(i / 1000)));
    const d = downsample(x, y, 2000);
    assert.ok(d.x.length <= 2000);
    assert.equal(Math.max(...d.max), 1e6);
    assert.equal(Math.min(...d.min), -5e5);
    const spikeBucket = d.max.indexOf(1e6);
    assert.ok(d.x[spikeBucket] >= 654_321, 'the spike lies in the bucket ending at or after it');
    assert.ok(spikeBucket === 0 || d.x[spikeBucket - 1] < 654_321);
    // Sinusoid values elsewhere stay within [-1, 1].
    assert.ok(d.last.every((v, i) => i === spikeBucket || Math.abs(v) <= 1));
  });

  test('never more buckets than asked, whatever the spacing of x', () => {
    const x = range(10_000, (i) => i * i);
    const y = range(10_000, (i) => i % 7);
    for (const buckets of [1, 2, 3, 17, 999]) {
      const d = downsample(x, y, buckets);
      assert.ok(d.x.length <= buckets, `${d.x.length} > ${buckets}`);
      assert.equal(d.x[d.x.length - 1], x[x.length - 1], 'the last bucket ends at the last point');
      assert.equal(d.last[d.last.length - 1], y[y.length - 1]);
    }
  });

  test('each bucket keeps min, max and the last value in it', () => {
    const x = range(8, (i) => i);
    const y = Float64Array.from([5, 1, 9, 4, 2, 8, 3, 7]);
    const d = downsample(x, y, 2);
    assert.deepEqual(d.x, [3, 7]);
    assert.deepEqual(d.min, [1, 2]);
    assert.deepEqual(d.max, [9, 8]);
    assert.deepEqual(d.last, [4, 7]);
  });

  test('an explicit range places the buckets over it', () => {
    const x = Float64Array.from([0, 1, 2, 3]);
    const y = Float64Array.from([1, 2, 3, 4]);
    const b = bucketize(x, y, 2, 0, 100);
    assert.equal(b.count, 1, 'all four points fall into the first half of [0, 100]');
    assert.equal(b.lastIdx[0], 3);
  });

  test('all points at one x make one bucket', () => {
    const x = new Float64Array(50).fill(3);
    const y = range(50, (i) => i);
    const d = downsample(x, y, 10);
    assert.deepEqual(d, { x: [3], last: [49], min: [0], max: [49] });
  });
});

describe('extremePoints', () => {
  test('keeps every point when they fit', () => {
    assert.deepEqual(extremePoints(range(5, (i) => i), range(5, (i) => i), 5), [0, 1, 2, 3, 4]);
  });

  test('keeps real points, at most maxPoints, including the spike', () => {
    const n = 100_000;
    const x = range(n, (i) => i);
    const y = range(n, (i) => (i === 77_777 ? 42 : 0));
    const keep = extremePoints(x, y, 6000);
    assert.ok(keep.length <= 6000);
    assert.ok(keep.includes(77_777));
    assert.ok(keep.every((v, i) => i === 0 || v > keep[i - 1]), 'indices ascend');
  });

  test('one point allowed: the last one', () => {
    assert.deepEqual(extremePoints(range(10, (i) => i), range(10, (i) => i), 1), [9]);
  });
});

describe('sortOrder', () => {
  test('null when already sorted, else a stable permutation', () => {
    assert.equal(sortOrder(Float64Array.from([1, 1, 2])), null);
    const x = Float64Array.from([3, 1, 2, 1]);
    const order = sortOrder(x)!;
    assert.deepEqual(Array.from(order), [1, 3, 2, 0]);
    assert.deepEqual(Array.from(permute(x, order)), [1, 1, 2, 3]);
  });
});
