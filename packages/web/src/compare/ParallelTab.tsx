import { useMemo, useState } from 'react';
import type { Task } from '../api/types';
import { experimentLabels } from './data';
import { ParallelCoordinates } from './ParallelCoordinates';
import type { Axis } from './parallel';
import { METRIC_STATS, metricKeys, metricValue, paramRows, paramValue, type MetricStat } from './values';

/** Axes shown at first: the hyperparameters that differ, as many as fit side by side. */
const FIRST_AXES = 6;
const SEP = '\u0000';

export function ParallelTab({ tasks }: { tasks: readonly Task[] }) {
  const params = useMemo(() => paramRows(tasks), [tasks]);
  const metrics = useMemo(() => metricKeys(tasks), [tasks]);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => {
    const differing = params.filter((r) => r.differs);
    return new Set((differing.length > 0 ? differing : params).slice(0, FIRST_AXES).map((r) => `${r.group}${SEP}${r.name}`));
  });
  const [metricKey, setMetricKey] = useState(() => (metrics[0] ? `${metrics[0].metric}${SEP}${metrics[0].variant}` : ''));
  const [stat, setStat] = useState<MetricStat>('value');

  const names = experimentLabels(tasks);
  const axes: Axis[] = params
    .filter((r) => chosen.has(`${r.group}${SEP}${r.name}`))
    .map((r) => ({ key: r.key, label: `${r.group}/${r.name}`, values: tasks.map((t) => paramValue(t, r.group, r.name)) }));
  const [metric, variant] = metricKey.split(SEP);
  const statLabel = METRIC_STATS.find((s) => s.stat === stat)!.label.toLowerCase();
  const metricAxis: Axis | null = metricKey
    ? { key: 'metric', label: `${metric}/${variant} (${statLabel})`, values: tasks.map((t) => metricValue(t, metric, variant, stat)) }
    : null;

  const toggle = (key: string, on: boolean) => setChosen((prev) => {
    const next = new Set(prev);
    if (on) next.add(key);
    else next.delete(key);
    return next;
  });

  if (metrics.length === 0) return <p className="muted">None of these experiments reported a metric to plot against.</p>;
  return (
    <div className="parallel-tab">
      <div className="parallel-controls">
        <label>
          Metric
          <select value={metricKey} onChange={(e) => setMetricKey(e.target.value)} aria-label="Metric">
            {metrics.map((m) => <option key={`${m.metric}${SEP}${m.variant}`} value={`${m.metric}${SEP}${m.variant}`}>{m.metric} / {m.variant}</option>)}
          </select>
        </label>
        <label>
          Value
          <select value={stat} onChange={(e) => setStat(e.target.value as MetricStat)} aria-label="Metric value">
            {METRIC_STATS.map((s) => <option key={s.stat} value={s.stat}>{s.label}</option>)}
          </select>
        </label>
        <fieldset className="choices" aria-label="Hyperparameter axes">
          <legend>Hyperparameters</legend>
          {params.length === 0 && <span className="muted">These experiments have no hyperparameters.</span>}
          {params.map((r) => {
            const key = `${r.group}${SEP}${r.name}`;
            return (
              <label key={r.key} className="check">
                <input type="checkbox" checked={chosen.has(key)} onChange={(e) => toggle(key, e.target.checked)} />
                {r.group}/{r.name}
              </label>
            );
          })}
        </fieldset>
      </div>
      {metricAxis && <ParallelCoordinates axes={axes} metric={metricAxis} names={names} />}
    </div>
  );
}
