import type { Bucketed, ServerRange, XAxis } from './series';
import { smooth } from './smoothing';

/**
 * uPlot wants one shared x array and, per line, a y array aligned with it. Each variant
 * becomes four lines: its bucket minimum and maximum (drawn as a band), its raw last
 * values, and those values smoothed (empty while smoothing is off).
 */
export const LINES_PER_VARIANT = 4;
export const MIN = 0;
export const MAX = 1;
export const RAW = 2;
export const SMOOTH = 3;

/** Index of a variant's line in uPlot's series list (0 is the x axis). */
export const lineIndex = (variant: number, line: number) => 1 + variant * LINES_PER_VARIANT + line;

export interface DisplayOptions {
  axis: XAxis;
  /** epoch ms that relative time counts from */
  t0: number;
  log: boolean;
  /** EMA weight in [0, 1) */
  smoothing: number;
}

/** Server x (iterations or epoch ms) to chart x (iterations, epoch seconds, or seconds since t0). */
export function toChartX(x: number, axis: XAxis, t0: number): number {
  if (axis === 'iter') return x;
  return axis === 'wall' ? x / 1000 : (x - t0) / 1000;
}

export function toServerX(x: number, axis: XAxis, t0: number): number {
  if (axis === 'iter') return x;
  return axis === 'wall' ? x * 1000 : x * 1000 + t0;
}

export const toServerRange = (r: ServerRange, axis: XAxis, t0: number): ServerRange =>
  ({ min: toServerX(r.min, axis, t0), max: toServerX(r.max, axis, t0) });

const sameX = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Several points at one x (the SDK stamps a burst of reports with one millisecond) become
 * one, as the server's buckets do: their minimum, maximum and last value. uPlot needs x to
 * rise strictly; it would drop points that share the x at a window's edge.
 */
export function collapseSameX(s: Bucketed): Bucketed {
  const n = s.x.length;
  let distinct = true;
  for (let i = 1; i < n && distinct; i++) distinct = s.x[i] !== s.x[i - 1];
  if (distinct) return s;
  const out: Bucketed = { ...s, x: [], last: [], min: [], max: [] };
  for (let i = 0; i < n; i++) {
    const k = out.x.length - 1;
    if (k >= 0 && out.x[k] === s.x[i]) {
      out.last[k] = s.last[i];
      out.min[k] = Math.min(out.min[k], s.min[i]);
      out.max[k] = Math.max(out.max[k], s.max[i]);
    } else {
      out.x.push(s.x[i]);
      out.last.push(s.last[i]);
      out.min.push(s.min[i]);
      out.max.push(s.max[i]);
    }
  }
  return out;
}

/** The sorted union of the variants' x values. */
function unionX(list: readonly Bucketed[]): number[] {
  if (list.every((s) => sameX(s.x, list[0].x))) return list[0]?.x ?? [];
  const all = new Set<number>();
  for (const s of list) for (const x of s.x) all.add(x);
  return [...all].sort((a, b) => a - b);
}

/** A variant's values laid on the shared x; a missing x is a gap (null). */
function spread(xs: readonly number[], s: Bucketed, values: readonly number[], keep: (v: number) => boolean): (number | null)[] {
  const out: (number | null)[] = new Array(xs.length).fill(null);
  let j = 0;
  for (let i = 0; i < s.x.length; i++) {
    while (xs[j] < s.x[i]) j++;
    out[j] = keep(values[i]) ? values[i] : null;
  }
  return out;
}

export function alignedData(series: readonly Bucketed[], o: DisplayOptions): (number | null)[][] {
  const list = series.map(collapseSameX);
  const xs = unionX(list);
  // A log scale cannot place zero or negative values: they become gaps.
  const keep = o.log ? (v: number) => v > 0 : Number.isFinite;
  const data: (number | null)[][] = [xs.map((x) => toChartX(x, o.axis, o.t0))];
  for (const s of list) {
    const raw = spread(xs, s, s.last, keep);
    data.push(spread(xs, s, s.min, keep), spread(xs, s, s.max, keep), raw, o.smoothing > 0 ? smooth(raw, o.smoothing) : raw.map(() => null));
  }
  return data;
}
