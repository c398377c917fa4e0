import { useMemo, useState } from 'react';
import type { Task } from '../api/types';
import { formatNumber } from '../ui/format';
import { METRIC_STATS, metricRows, paramRows, type MetricStat } from './values';
import { ValuesTable } from './ValuesTable';

export function ParamsTab({ tasks }: { tasks: readonly Task[] }) {
  const [onlyDiff, setOnlyDiff] = useState(false);
  const rows = useMemo(() => paramRows(tasks), [tasks]);
  const differing = rows.filter((r) => r.differs).length;
  return (
    <div className="compare-tab">
      <div className="view-toolbar">
        <label className="check">
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} />
          Only differences
        </label>
        <span className="muted">{differing} of {rows.length} hyperparameters differ</span>
      </div>
      <ValuesTable label="Hyperparameters" groupTitle="Hyperparameter" tasks={tasks} rows={onlyDiff ? rows.filter((r) => r.differs) : rows}
        emptyText={rows.length === 0 ? 'These experiments have no hyperparameters.' : 'All hyperparameters are the same.'} />
    </div>
  );
}

export function MetricsTab({ tasks }: { tasks: readonly Task[] }) {
  const [stat, setStat] = useState<MetricStat>('value');
  const rows = useMemo(() => metricRows(tasks, stat, formatNumber), [tasks, stat]);
  return (
    <div className="compare-tab">
      <div className="view-toolbar" role="radiogroup" aria-label="Metric value">
        {METRIC_STATS.map((s) => (
          <label key={s.stat} className="check">
            <input type="radio" name="metric-stat" checked={stat === s.stat} onChange={() => setStat(s.stat)} />
            {s.label}
          </label>
        ))}
      </div>
      <ValuesTable label="Metrics" groupTitle="Metric" tasks={tasks} rows={rows} emptyText="None of these experiments reported a metric." />
    </div>
  );
}
