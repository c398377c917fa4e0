import { SINGLE_VALUE_ITER } from '@cairn/protocol';
import { badRequest } from '../../http/api-error.js';
import type { EventStore, MetricVariants } from '../../store/event-store.js';
import { lowerBound } from '../../store/scalar-chunks.js';
import type { ServiceModule } from '../deps.js';
import { optInt, reqIdList } from '../validate.js';
import { downsample, extremePoints, permute, sortOrder } from './downsample.js';
import { boundedInt, metricFilter, modelEvents, nameField, oneOf, optNumber, requireEntities, requireTask } from './fields.js';

/** Points per series `scalar_metrics_iter_histogram` returns when the request sets no `samples`. */
const DEFAULT_HISTOGRAM_SAMPLES = 6000;
const DEFAULT_BUCKETS = 2000;
const MAX_BUCKETS = 100_000;
/** Most series one `events.get_multi_scalar_series` call may ask for. */
const MAX_SERIES_PER_CALL = 1000;

type XAxis = 'iter' | 'timestamp';

interface XY {
  x: Float64Array;
  y: Float64Array;
}

/** A series' points without single values, x by the chosen axis, sorted by x, inside [min, max]. */
async function seriesXY(events: EventStore, task: string, metric: string, variant: string, axis: XAxis, range: { min?: number; max?: number } = {}): Promise<XY> {
  if (axis === 'iter') {
    const p = await events.scalarPoints(task, metric, variant, { min: Math.max(range.min ?? -Infinity, SINGLE_VALUE_ITER + 1), max: range.max });
    return { x: p.iters, y: p.values };
  }
  const p = await events.scalarPoints(task, metric, variant, { min: SINGLE_VALUE_ITER + 1 });
  const order = sortOrder(p.timestamps);
  const x = order ? permute(p.timestamps, order) : p.timestamps;
  const y = order ? permute(p.values, order) : p.values;
  const from = range.min === undefined ? 0 : lowerBound(x, range.min);
  const to = range.max === undefined ? x.length : upperBound(x, range.max);
  return { x: x.subarray(from, to), y: y.subarray(from, to) };
}

/** Index of the first element greater than `v` in an ascending array. */
function upperBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const wanted = (filter: readonly MetricVariants[], metric: string, variant: string) =>
  filter.length === 0 || filter.some((f) => f.metric === metric && (f.variants.length === 0 || f.variants.includes(variant)));

interface ChartRequest {
  buckets: number;
  axis: XAxis;
  range: { min?: number; max?: number };
}

function chartRequest(body: Record<string, unknown>): ChartRequest {
  const min = optNumber(body, 'x_min');
  const max = optNumber(body, 'x_max');
  if (min !== undefined && max !== undefined && min > max) throw badRequest('x_min must not exceed x_max');
  return { buckets: boundedInt(body, 'buckets', DEFAULT_BUCKETS, 1, MAX_BUCKETS), axis: oneOf(body, 'x_axis', ['iter', 'timestamp'], 'iter'), range: { min, max } };
}

async function chartSeries(events: EventStore, task: string, metric: string, variant: string, req: ChartRequest) {
  const { x, y } = await seriesXY(events, task, metric, variant, req.axis, req.range);
  return { ...downsample(x, y, req.buckets, req.range), total_points: x.length };
}

export const registerScalarReads: ServiceModule = (registry, { store }) => {
  registry.add({
    name: 'events.scalar_metrics_iter_histogram',
    handler: async (body) => {
      const task = await requireTask(store, body);
      const key = oneOf(body, 'key', ['iter', 'timestamp', 'iso_time'], 'iter');
      const samples = optInt(body, 'samples') ?? DEFAULT_HISTOGRAM_SAMPLES;
      const filter = metricFilter(body);
      const out: Record<string, Record<string, { name: string; x: (number | string)[]; y: number[] }>> = {};
      for (const { metric, variant } of await store.events.series(task)) {
        if (!wanted(filter, metric, variant)) continue;
        const { x, y } = await seriesXY(store.events, task, metric, variant, key === 'iter' ? 'iter' : 'timestamp');
        if (x.length === 0) continue;
        // samples ≤ 0 asks for every point.
        const keep = samples > 0 ? extremePoints(x, y, samples) : Array.from({ length: x.length }, (_, i) => i);
        const xs = key === 'iso_time' ? keep.map((i) => new Date(x[i]).toISOString()) : keep.map((i) => x[i]);
        (out[metric] ??= {})[variant] = { name: variant, x: xs, y: keep.map((i) => y[i]) };
      }
      return out;
    },
  });

  registry.add({
    name: 'events.get_task_single_value_metrics',
    handler: async (body) => {
      const ids = reqIdList(body, 'tasks');
      const models = modelEvents(body);
      const docs = await (models ? store.models.getMany(ids) : store.tasks.getMany(ids));
      const rows = await store.events.scalarsAtIter(docs.map((d) => d.id), SINGLE_VALUE_ITER);
      return {
        tasks: docs.map((d) => ({
          task: d.id,
          task_name: d.name,
          values: rows.filter((r) => r.task === d.id).map((r) => ({ metric: r.metric, variant: r.variant, value: r.value, timestamp: r.timestamp })),
        })),
      };
    },
  });

  registry.add({
    name: 'events.get_scalar_metrics_and_variants',
    handler: async (body) => {
      const task = await requireTask(store, body);
      const metrics: Record<string, Record<string, { name: string }>> = {};
      for (const { metric, variant } of await store.events.series(task)) (metrics[metric] ??= {})[variant] = { name: variant };
      return { metrics };
    },
  });

  /** Cairn: one series for a chart, downsampled on the server to min/max/last per bucket. */
  registry.add({
    name: 'events.get_scalar_series',
    handler: async (body) => {
      const task = await requireTask(store, body);
      return chartSeries(store.events, task, nameField(body, 'metric'), nameField(body, 'variant'), chartRequest(body));
    },
  });

  /** Cairn: many series at once (experiment comparison), each downsampled like get_scalar_series. */
  registry.add({
    name: 'events.get_multi_scalar_series',
    handler: async (body) => {
      const list = body.series;
      if (!Array.isArray(list)) throw badRequest('field series must be a list of {task, metric, variant}');
      if (list.length > MAX_SERIES_PER_CALL) throw badRequest(`at most ${MAX_SERIES_PER_CALL} series per call, got ${list.length}`);
      const wantedSeries = list.map((item, i) => {
        if (typeof item !== 'object' || item === null) throw badRequest(`series[${i}] must be an object`);
        const s = item as Record<string, unknown>;
        if (typeof s.task !== 'string' || s.task === '') throw badRequest(`series[${i}].task must be a task id`);
        return { task: s.task, metric: nameField(s, 'metric'), variant: nameField(s, 'variant') };
      });
      await requireEntities(store, [...new Set(wantedSeries.map((s) => s.task))], modelEvents(body));
      const req = chartRequest(body);
      const series = [];
      for (const s of wantedSeries) series.push({ ...s, ...(await chartSeries(store.events, s.task, s.metric, s.variant, req)) });
      return { series };
    },
  });
};
