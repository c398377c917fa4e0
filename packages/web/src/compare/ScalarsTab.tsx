import { useMemo, useState } from 'react';
import type { Task } from '../api/types';
import { useLoad } from '../ui/useLoad';
import { colorAt } from './colors';
import { experimentLabels, loadScalarNames, loadSeries, type ScalarSeries } from './data';
import { LineChart, type LineSeries } from './LineChart';

/** Points per line the server sends: about one per pixel of a wide chart. */
const BUCKETS = 1000;
/** Line styles that tell the variants of one metric apart; colour tells the experiments apart. */
const DASHES: (number[] | undefined)[] = [undefined, [6, 3], [2, 3], [8, 3, 2, 3]];

type Axis = 'iter' | 'timestamp';

/** Each metric's chart: one line per experiment and variant. */
function chartsOf(tasks: readonly Task[], names: Map<string, string[]>, series: readonly ScalarSeries[]): { metric: string; lines: LineSeries[] }[] {
  const labels = experimentLabels(tasks);
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const byKey = new Map(series.map((s) => [`${s.task}\u0000${s.metric}\u0000${s.variant}`, s]));
  return [...names].map(([metric, variants]) => ({
    metric,
    lines: tasks.flatMap((t) => variants.flatMap((variant, vi) => {
      const s = byKey.get(`${t.id}\u0000${metric}\u0000${variant}`);
      if (!s || s.x.length === 0) return [];
      const i = index.get(t.id)!;
      return [{
        label: variants.length > 1 ? `${labels[i]} · ${variant}` : labels[i],
        color: colorAt(i),
        dash: DASHES[vi % DASHES.length],
        x: s.x,
        y: s.last,
        ...(s.total_points > s.x.length ? { band: { min: s.min, max: s.max } } : {}),
      }];
    })),
  }));
}

export function ScalarsTab({ tasks }: { tasks: readonly Task[] }) {
  const [axis, setAxis] = useState<Axis>('iter');
  const [filter, setFilter] = useState('');
  const ids = tasks.map((t) => t.id);
  const names = useLoad(() => loadScalarNames(ids), [ids.join(',')]);
  const series = useLoad(async () => {
    if (!names.data) return [];
    const wanted = [...names.data].flatMap(([metric, variants]) => ids.flatMap((task) => variants.map((variant) => ({ task, metric, variant }))));
    return loadSeries(wanted, axis, BUCKETS);
  }, [names.data, axis]);
  const charts = useMemo(() => (names.data && series.data ? chartsOf(tasks, names.data, series.data) : []), [tasks, names.data, series.data]);
  const needle = filter.trim().toLowerCase();
  const shown = charts.filter((c) => c.lines.length > 0 && (!needle || c.metric.toLowerCase().includes(needle)));

  const error = names.error ?? series.error;
  return (
    <div className="compare-tab">
      <div className="view-toolbar">
        <input type="search" className="search" placeholder="Filter metrics" aria-label="Filter metrics" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <label className="check">
          X axis
          <select value={axis} onChange={(e) => setAxis(e.target.value as Axis)} aria-label="X axis">
            <option value="iter">Iterations</option>
            <option value="timestamp">Wall time</option>
          </select>
        </label>
      </div>
      {error && <p className="form-error" role="alert">Could not load the scalars: {error.message}</p>}
      {!error && (names.loading || series.loading) && charts.length === 0 && <p className="muted">Loading scalars…</p>}
      {!error && !names.loading && !series.loading && shown.length === 0 && (
        <p className="muted">{charts.length === 0 ? 'None of these experiments reported scalars.' : 'No metric matches the filter.'}</p>
      )}
      <div className="lchart-grid">
        {shown.map((c) => (
          <LineChart key={`${c.metric}:${axis}`} title={c.metric} series={c.lines} time={axis === 'timestamp'} integerX={axis === 'iter'} xLabel={axis === 'iter' ? 'Iteration' : 'Time'} />
        ))}
      </div>
    </div>
  );
}
