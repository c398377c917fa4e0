import { useLoad } from '../../ui/useLoad';
import { fetchPlots, isTable, type Plot } from '../plots/figure';
import { PlotlyFigure } from '../plots/PlotlyFigure';
import { TableFigure } from '../plots/TableFigure';
import type { TaskDetail } from '../types';

export function PlotCard({ plot }: { plot: Plot }) {
  const label = `${plot.metric} / ${plot.variant}`;
  return (
    <figure className="plot-card" data-plot={label}>
      <figcaption className="chart-head">
        <strong>{plot.variant}</strong>
        <span className="grow" />
        <span className="muted">iteration {plot.iter}</span>
      </figcaption>
      {plot.figure === null
        ? <p className="form-error">This plot cannot be shown: {plot.problem}.</p>
        : isTable(plot.figure)
          ? plot.figure.data.map((t, i) => <TableFigure key={i} trace={t} label={label} />)
          : <PlotlyFigure figure={plot.figure} source={plot.source} label={label} />}
    </figure>
  );
}

/** The newest figure of every reported plot, grouped by metric. */
export function PlotsTab({ task, version }: { task: TaskDetail; version: number }) {
  const plots = useLoad(() => fetchPlots(task.id), [task.id, version]);
  if (plots.error) return <p className="form-error" role="alert">Could not load the plots: {plots.error.message}</p>;
  if (!plots.data) return <p className="muted">Loading…</p>;
  if (plots.data.length === 0) return <p className="muted">No plots reported yet.</p>;
  return (
    <div className="tab-body">
      {plots.data.map(([metric, list]) => (
        <section key={metric} className="exp-section" aria-label={`Plots ${metric}`}>
          <h2>{metric}</h2>
          <div className="plot-grid">{list.map((p) => <PlotCard key={p.variant} plot={p} />)}</div>
        </section>
      ))}
    </div>
  );
}
