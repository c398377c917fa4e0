import type { SeriesPoints } from './event-store.js';

/**
 * Scalar series are stored as chunks of consecutive points packed into one binary value
 * (iterations, then values, then timestamps, each as float64), so reading a million points
 * is a few hundred row reads and memory copies instead of a million rows. Chunks of one
 * series never overlap in iterations. These helpers are dialect-neutral: any adapter that
 * can store bytes can use them.
 */

/** Points per chunk: big enough for fast reads, small enough that appending a few points rewrites little. */
export const CHUNK_POINTS = 1024;

const F64 = Float64Array.BYTES_PER_ELEMENT;

export const emptyPoints = (): SeriesPoints => ({ iters: new Float64Array(0), values: new Float64Array(0), timestamps: new Float64Array(0) });

/** Packs points [start, end) into one chunk value. */
export function encodeChunk(p: SeriesPoints, start: number, end: number): Buffer {
  const n = end - start;
  const packed = new Float64Array(3 * n);
  packed.set(p.iters.subarray(start, end), 0);
  packed.set(p.values.subarray(start, end), n);
  packed.set(p.timestamps.subarray(start, end), 2 * n);
  return Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
}

/** Unpacks a chunk of `n` points; views the bytes in place when they are aligned for float64. */
export function decodeChunk(data: Uint8Array, n: number): SeriesPoints {
  if (data.byteLength !== 3 * n * F64) throw new Error(`corrupt scalar chunk: ${data.byteLength} bytes for ${n} points`);
  let packed: Float64Array;
  if (data.byteOffset % F64 === 0) {
    packed = new Float64Array(data.buffer, data.byteOffset, 3 * n);
  } else {
    packed = new Float64Array(3 * n);
    new Uint8Array(packed.buffer).set(data);
  }
  return { iters: packed.subarray(0, n), values: packed.subarray(n, 2 * n), timestamps: packed.subarray(2 * n, 3 * n) };
}

/** Sorts points by iteration; of several points at one iteration the last one given wins. */
export function sortPoints(iters: readonly number[], values: readonly number[], timestamps: readonly number[]): SeriesPoints {
  const n = iters.length;
  let ordered = true;
  for (let i = 1; i < n && ordered; i++) ordered = iters[i] > iters[i - 1];
  if (ordered) return { iters: Float64Array.from(iters), values: Float64Array.from(values), timestamps: Float64Array.from(timestamps) };
  // A stable sort keeps arrival order among equal iterations, so the last of a run is the latest report.
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => iters[a] - iters[b] || a - b);
  const out = { iters: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    if (m > 0 && out.iters[m - 1] === iters[i]) m--;
    out.iters[m] = iters[i];
    out.values[m] = values[i];
    out.timestamps[m] = timestamps[i];
    m++;
  }
  return slicePoints(out, 0, m);
}

export function slicePoints(p: SeriesPoints, start: number, end: number): SeriesPoints {
  return { iters: p.iters.subarray(start, end), values: p.values.subarray(start, end), timestamps: p.timestamps.subarray(start, end) };
}

export function concatPoints(parts: readonly SeriesPoints[]): SeriesPoints {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.iters.length;
  const out = { iters: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  let o = 0;
  for (const p of parts) {
    out.iters.set(p.iters, o);
    out.values.set(p.values, o);
    out.timestamps.set(p.timestamps, o);
    o += p.iters.length;
  }
  return out;
}

/** Merges two sorted, duplicate-free point sets; at an iteration present in both, `incoming` wins. */
export function mergePoints(stored: SeriesPoints, incoming: SeriesPoints): SeriesPoints {
  const a = stored.iters;
  const b = incoming.iters;
  const out = { iters: new Float64Array(a.length + b.length), values: new Float64Array(a.length + b.length), timestamps: new Float64Array(a.length + b.length) };
  let i = 0;
  let j = 0;
  let m = 0;
  const take = (src: SeriesPoints, k: number) => {
    out.iters[m] = src.iters[k];
    out.values[m] = src.values[k];
    out.timestamps[m] = src.timestamps[k];
    m++;
  };
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) take(stored, i++);
    else {
      if (i < a.length && a[i] === b[j]) i++;
      take(incoming, j++);
    }
  }
  return slicePoints(out, 0, m);
}

/** Index of the first point with iteration ≥ `iter` (binary search). */
export function lowerBound(iters: Float64Array, iter: number): number {
  let lo = 0;
  let hi = iters.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (iters[mid] < iter) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
