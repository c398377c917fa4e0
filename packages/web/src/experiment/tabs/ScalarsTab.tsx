import { useState } from 'react';
import { call } from '../../api/client';
import { formatNumber } from '../../ui/format';
import { useLoad } from '../../ui/useLoad';
import { ScalarChart } from '../scalars/ScalarChart';
import { fetchMetrics, type XAxis } from '../scalars/series';
import type { TaskDetail } from '../types';

/** The SDK's resource monitor reports under these metric names; they get their own group. */
const isMonitor = (metric: string) => metric.startsWith(':monitor:');

interface SingleValue {
  metric: string;
  variant: string;
  value: number;
}

interface Settings {
  axis: XAxis;
  log: boolean;
  smoothing: number;
}

function Toolbar({ s, onChange, filter, onFilter }: { s: Settings; onChange: (s: Settings) => void; filter: string; onFilter: (f: string) => void }) {
  return (
    <div className="scalars-bar" role="toolbar" aria-label="Chart settings">
      <input type="search" className="search" placeholder="Filter charts" aria-label="Filter charts" value={filter} onChange={(e) => onFilter(e.target.value)} />
      <label className="check">
        X axis
        <select aria-label="X axis" value={s.axis} onChange={(e) => onChange({ ...s, axis: e.target.value as XAxis })}>
          <option value="iter">Iterations</option>
          <option value="wall">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={s.log} onChange={(e) => onChange({ ...s, log: e.target.checked })} />
        Log scale
      </label>
      <label className="check smoothing">
        Smoothing
        <input type="range" min={0} max={0.99} step={0.01} aria-label="Smoothing" value={s.smoothing} onChange={(e) => onChange({ ...s, smoothing: Number(e.target.value) })} />
        <output>{s.smoothing.toFixed(2)}</output>
      </label>
      <span className="muted">Drag across a chart to zoom; double-click to zoom out.</span>
    </div>
  );
}

/** One chart per metric with all its variants; the resource monitor's charts in their own group. */
export function ScalarsTab({ task, version }: { task: TaskDetail; version: number }) {
  const [settings, setSettings] = useState<Settings>({ axis: 'iter', log: false, smoothing: 0 });
  const [filter, setFilter] = useState('');
  const metrics = useLoad(() => fetchMetrics(task.id), [task.id, version]);
  const singles = useLoad(
    () => call<{ tasks: { values: SingleValue[] }[] }>('events.get_task_single_value_metrics', { tasks: [task.id] }).then((r) => r.tasks[0]?.values ?? []),
    [task.id, version],
  );
  const failed = metrics.error ?? singles.error;
  if (failed) return <p className="form-error" role="alert">Could not load the scalars: {failed.message}</p>;
  if (!metrics.data || !singles.data) return <p className="muted">Loading…</p>;

  // Single values (report_single_value) are listed as series too, but have no points to draw.
  const values = singles.data;
  const single = new Set(values.map((v) => `${v.metric}\u0000${v.variant}`));
  const series = metrics.data
    .map((m) => ({ metric: m.metric, variants: m.variants.filter((v) => !single.has(`${m.metric}\u0000${v}`)) }))
    .filter((m) => m.variants.length > 0);
  const t0 = Date.parse(task.started ?? task.created ?? '') || 0;
  const f = filter.trim().toLowerCase();
  const shown = series.filter((m) => !f || m.metric.toLowerCase().includes(f) || m.variants.some((v) => v.toLowerCase().includes(f)));
  const chart = (m: { metric: string; variants: string[] }) => (
    <ScalarChart key={m.metric} task={task.id} metric={m.metric} variants={m.variants} axis={settings.axis} log={settings.log}
      smoothing={settings.smoothing} t0={t0} version={version} />
  );
  const plain = shown.filter((m) => !isMonitor(m.metric));
  const monitor = shown.filter((m) => isMonitor(m.metric));
  return (
    <div className="tab-body">
      <Toolbar s={settings} onChange={setSettings} filter={filter} onFilter={setFilter} />
      {values.length > 0 && (
        <section className="exp-section" aria-label="Summary values">
          <h2>Summary values</h2>
          <table className="simple-table single-values">
            <tbody>
              {values.map((v) => <tr key={`${v.metric}/${v.variant}`}><td>{v.variant}</td><td className="num">{formatNumber(v.value)}</td></tr>)}
            </tbody>
          </table>
        </section>
      )}
      {series.length === 0 && values.length === 0 && <p className="muted">No scalars reported yet.</p>}
      {series.length > 0 && shown.length === 0 && <p className="muted">No chart matches “{filter}”.</p>}
      <div className="chart-grid">{plain.map(chart)}</div>
      {monitor.length > 0 && (
        <details className="monitor-group" open>
          <summary>Monitor</summary>
          <div className="chart-grid">{monitor.map(chart)}</div>
        </details>
      )}
    </div>
  );
}
