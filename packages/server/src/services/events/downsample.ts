/**
 * Downsampling of long scalar series for charts. Points are grouped into equal-width
 * buckets over the x range, and each bucket keeps its minimum, maximum and last point,
 * so a one-point spike survives any zoom level (an average would hide it).
 */

/** Per non-empty bucket, in x order: indices of its minimum, maximum and last point. */
export interface BucketIndices {
  count: number;
  minIdx: Int32Array;
  maxIdx: Int32Array;
  lastIdx: Int32Array;
}

/**
 * Buckets points with x sorted ascending over [lo, hi] into at most `buckets` buckets.
 * Points outside [lo, hi] land in the first or last bucket.
 */
export function bucketize(x: Float64Array, y: Float64Array, buckets: number, lo: number, hi: number): BucketIndices {
  const n = x.length;
  const cap = Math.max(1, Math.min(buckets, n));
  const out: BucketIndices = { count: 0, minIdx: new Int32Array(cap), maxIdx: new Int32Array(cap), lastIdx: new Int32Array(cap) };
  if (n === 0) return out;
  const span = hi - lo;
  const scale = span > 0 ? buckets / span : 0;
  let current = -1;
  let b = -1;
  for (let i = 0; i < n; i++) {
    let k = Math.floor((x[i] - lo) * scale);
    if (k < 0) k = 0;
    else if (k >= buckets) k = buckets - 1;
    if (k !== current) {
      current = k;
      b++;
      out.minIdx[b] = i;
      out.maxIdx[b] = i;
    } else {
      if (y[i] < y[out.minIdx[b]]) out.minIdx[b] = i;
      if (y[i] > y[out.maxIdx[b]]) out.maxIdx[b] = i;
    }
    out.lastIdx[b] = i;
  }
  out.count = b + 1;
  return out;
}

export interface DownsampledSeries {
  /** x of each bucket's last point. */
  x: number[];
  last: number[];
  min: number[];
  max: number[];
}

/**
 * At most `buckets` entries for a series sorted by x. A series that already fits is
 * returned point by point (min = max = last).
 */
export function downsample(x: Float64Array, y: Float64Array, buckets: number, range: { min?: number; max?: number } = {}): DownsampledSeries {
  const n = x.length;
  if (n <= buckets) {
    const values = Array.from(y);
    return { x: Array.from(x), last: values, min: values.slice(), max: values.slice() };
  }
  const b = bucketize(x, y, buckets, range.min ?? x[0], range.max ?? x[n - 1]);
  const out: DownsampledSeries = { x: new Array(b.count), last: new Array(b.count), min: new Array(b.count), max: new Array(b.count) };
  for (let i = 0; i < b.count; i++) {
    out.x[i] = x[b.lastIdx[i]];
    out.last[i] = y[b.lastIdx[i]];
    out.min[i] = y[b.minIdx[i]];
    out.max[i] = y[b.maxIdx[i]];
  }
  return out;
}

/**
 * Indices of at most `maxPoints` real points of a series sorted by x: each bucket's
 * minimum and maximum in x order. Used where the answer has room for one y per x.
 */
export function extremePoints(x: Float64Array, y: Float64Array, maxPoints: number): number[] {
  const n = x.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  if (maxPoints < 2) return maxPoints < 1 ? [] : [n - 1];
  const b = bucketize(x, y, Math.floor(maxPoints / 2), x[0], x[n - 1]);
  const out: number[] = [];
  for (let i = 0; i < b.count; i++) {
    const lo = Math.min(b.minIdx[i], b.maxIdx[i]);
    const hi = Math.max(b.minIdx[i], b.maxIdx[i]);
    out.push(lo);
    if (hi !== lo) out.push(hi);
  }
  return out;
}

/** A permutation that orders x ascending (stable), or null when x already is. */
export function sortOrder(x: Float64Array): Int32Array | null {
  let sorted = true;
  for (let i = 1; i < x.length && sorted; i++) sorted = x[i] >= x[i - 1];
  if (sorted) return null;
  const idx = Int32Array.from({ length: x.length }, (_, i) => i);
  // Typed-array sort is not guaranteed stable: break ties by index.
  return idx.sort((a, b) => x[a] - x[b] || a - b);
}

export function permute(a: Float64Array, order: Int32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = a[order[i]];
  return out;
}
