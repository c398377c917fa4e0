import { call } from '../../api/client';

/** What the x axis counts: iterations, wall-clock time, or time since the experiment started. */
export type XAxis = 'iter' | 'wall' | 'relative';

/** One variant as the server downsampled it: per bucket the x and value of its last point, and its extremes. */
export interface Bucketed {
  variant: string;
  x: number[];
  last: number[];
  min: number[];
  max: number[];
  total: number;
}

interface WireSeries {
  variant: string;
  x: number[];
  last: number[];
  min: number[];
  max: number[];
  total_points: number;
}

/** A range of x in the server's units: iterations, or epoch milliseconds for both time axes. */
export interface ServerRange {
  min: number;
  max: number;
}

/**
 * The variants of one metric, each cut into about `buckets` buckets (one per pixel of
 * the chart) over `range`, or over the whole series without one.
 */
export async function fetchChart(task: string, metric: string, variants: readonly string[], axis: XAxis, buckets: number, range?: ServerRange): Promise<Bucketed[]> {
  const { series } = await call<{ series: WireSeries[] }>('events.get_multi_scalar_series', {
    series: variants.map((variant) => ({ task, metric, variant })),
    x_axis: axis === 'iter' ? 'iter' : 'timestamp',
    buckets,
    ...(range ? { x_min: range.min, x_max: range.max } : {}),
  });
  return series.map((s) => ({ variant: s.variant, x: s.x, last: s.last, min: s.min, max: s.max, total: s.total_points }));
}

/** The metric → variants listing of `events.get_scalar_metrics_and_variants`, names sorted. */
export async function fetchMetrics(task: string): Promise<{ metric: string; variants: string[] }[]> {
  const { metrics } = await call<{ metrics: Record<string, Record<string, unknown>> }>('events.get_scalar_metrics_and_variants', { task });
  return Object.keys(metrics).sort().map((metric) => ({ metric, variants: Object.keys(metrics[metric]).sort() }));
}
