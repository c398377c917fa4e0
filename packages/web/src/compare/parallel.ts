/**
 * The geometry of a parallel coordinates plot, apart from drawing: each axis maps its
 * values to a position from 0 (bottom) to 1 (top). An axis whose values are all numbers
 * runs from its minimum to its maximum, logarithmically when they are positive and span
 * two decades or more (learning rates, weight decays); any other axis spaces its
 * distinct values evenly, in natural sort order.
 */
export interface Axis {
  key: string;
  label: string;
  /** one value per experiment; undefined where it has none */
  values: (string | number | undefined)[];
}

export interface ScaledAxis extends Axis {
  numeric: boolean;
  log: boolean;
  /** position of each experiment's value in [0, 1], undefined where it has none */
  positions: (number | undefined)[];
  ticks: { at: number; text: string }[];
}

/** Ratio of largest to smallest value from which a positive axis is drawn on a log scale. */
const LOG_SPAN = 100;

/** The ends of a log axis and every power of ten between them. */
function decades(lo: number, hi: number): number[] {
  const out = [lo];
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) {
    const v = 10 ** e;
    if (v > lo * 1.0001 && v < hi / 1.0001) out.push(Number(v.toPrecision(12)));
  }
  out.push(hi);
  return out;
}

const isNumber = (v: string | number) => (typeof v === 'number' ? Number.isFinite(v) : v.trim() !== '' && Number.isFinite(Number(v)));

export function scaleAxis(axis: Axis, format: (v: number) => string, numericTicks = 5): ScaledAxis {
  const present = axis.values.filter((v): v is string | number => v !== undefined);
  const numeric = present.length > 0 && present.every(isNumber);
  if (numeric) {
    const nums = present.map(Number);
    const [lo, hi] = [Math.min(...nums), Math.max(...nums)];
    const log = lo > 0 && hi / lo >= LOG_SPAN;
    const f = log ? Math.log10 : (v: number) => v;
    const span = f(hi) - f(lo);
    const at = (v: number) => (span > 0 ? (f(v) - f(lo)) / span : 0.5);
    let tickValues: number[];
    if (span === 0) tickValues = [lo];
    else if (log) tickValues = decades(lo, hi);
    else tickValues = Array.from({ length: numericTicks }, (_, i) => lo + (span * i) / (numericTicks - 1));
    const ticks = tickValues.map((v) => ({ at: at(v), text: format(v) }));
    return { ...axis, numeric, log, positions: axis.values.map((v) => (v === undefined ? undefined : at(Number(v)))), ticks };
  }
  const categories = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const at = (c: string) => (categories.length > 1 ? categories.indexOf(c) / (categories.length - 1) : 0.5);
  return {
    ...axis,
    numeric,
    log: false,
    positions: axis.values.map((v) => (v === undefined ? undefined : at(String(v)))),
    ticks: categories.map((c) => ({ at: at(c), text: c })),
  };
}

/**
 * An SVG path through the points of one experiment, axis by axis; where it has no value
 * on an axis the line breaks, rather than inventing one.
 */
export function polylinePath(points: readonly ({ x: number; y: number } | undefined)[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!p) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`;
    pen = true;
  }
  return d;
}
