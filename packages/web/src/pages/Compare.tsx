import { Link, navigate, useSearch } from '../app/router';
import { colorAt } from '../compare/colors';
import { compareUrl, experimentLabels, loadTasks, MAX_COMPARED, MIN_COMPARED, parseIds } from '../compare/data';
import { ParallelTab } from '../compare/ParallelTab';
import { ScalarsTab } from '../compare/ScalarsTab';
import { MetricsTab, ParamsTab } from '../compare/ValuesTabs';
import { StatusBadge } from '../ui/StatusBadge';
import { useLoad } from '../ui/useLoad';

const TABS = [
  { id: 'scalars', label: 'Scalars' },
  { id: 'params', label: 'Hyperparameters' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'parallel', label: 'Parallel coordinates' },
] as const;

/** `/compare?ids=a,b,c&tab=params`: 2 to 20 experiments side by side. */
export default function Compare() {
  const search = useSearch();
  const ids = parseIds(search.get('ids'));
  const tab = TABS.find((t) => t.id === search.get('tab'))?.id ?? 'scalars';
  const valid = ids.length >= MIN_COMPARED && ids.length <= MAX_COMPARED;
  const tasks = useLoad(() => (valid ? loadTasks(ids) : Promise.resolve([])), [ids.join(',')]);

  const head = (
    <div className="crumbs">
      <Link to="/experiments">Experiments</Link>
      <span aria-hidden>/</span>
      <h1>Compare experiments</h1>
    </div>
  );
  if (!valid) {
    return (
      <div className="page">
        <div className="page-head">{head}</div>
        <p className="warning">
          {ids.length > MAX_COMPARED
            ? `${ids.length} experiments were chosen; a comparison holds at most ${MAX_COMPARED}.`
            : `Choose ${MIN_COMPARED} to ${MAX_COMPARED} experiments to compare.`}{' '}
          Select them in the <Link to="/experiments">experiments table</Link> and use Compare.
        </p>
      </div>
    );
  }

  const list = tasks.data ?? [];
  const missing = tasks.data ? ids.filter((id) => !list.some((t) => t.id === id)) : [];
  const labels = experimentLabels(list);
  const remove = (id: string) => navigate(compareUrl(ids.filter((x) => x !== id), tab));
  return (
    <div className="page compare-page">
      <div className="page-head">{head}</div>
      {tasks.error && <p className="form-error" role="alert">Could not load the experiments: {tasks.error.message}</p>}
      {missing.length > 0 && <p className="warning">{missing.length === 1 ? 'One chosen experiment no longer exists' : `${missing.length} chosen experiments no longer exist`}: {missing.join(', ')}</p>}
      <ul className="compare-chips" aria-label="Compared experiments">
        {list.map((t, i) => (
          <li key={t.id} className="compare-chip">
            <span className="cmp-swatch" style={{ background: colorAt(i) }} aria-hidden />
            <Link to={`/experiments/${t.id}`}>{labels[i]}</Link>
            <StatusBadge status={t.status} />
            {list.length > MIN_COMPARED && (
              <button type="button" className="icon-button" aria-label={`Remove ${labels[i]} from the comparison`} onClick={() => remove(t.id)}>×</button>
            )}
          </li>
        ))}
      </ul>
      {tasks.loading && !tasks.data && <p className="muted">Loading experiments…</p>}
      {tasks.data && list.length < MIN_COMPARED && <p className="warning">Fewer than {MIN_COMPARED} of the chosen experiments exist; there is nothing to compare.</p>}
      {tasks.data && list.length >= MIN_COMPARED && (
        <>
          <div className="view-tabs" role="tablist" aria-label="Comparison">
            {TABS.map((t) => (
              <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'view-tab active' : 'view-tab'}
                onClick={() => navigate(compareUrl(ids, t.id), { replace: true })}>{t.label}</button>
            ))}
          </div>
          <div role="tabpanel" aria-label={TABS.find((t) => t.id === tab)!.label}>
            {tab === 'scalars' && <ScalarsTab tasks={list} />}
            {tab === 'params' && <ParamsTab tasks={list} />}
            {tab === 'metrics' && <MetricsTab tasks={list} />}
            {tab === 'parallel' && <ParallelTab tasks={list} />}
          </div>
        </>
      )}
    </div>
  );
}
