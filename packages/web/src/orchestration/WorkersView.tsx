import { Link, navigate, useSearch } from '../app/router';
import { formatDuration, timeAgo } from '../ui/format';
import { useLoad } from '../ui/useLoad';
import { windowById, WindowSelect } from './time-range';
import { useEvery } from './useEvery';
import { WorkerCharts } from './WorkerCharts';
import { loadWorkers } from './workers-api';

const REFRESH_MS = 10_000;

const workersUrl = (worker: string, range: string) => `/workers?worker=${encodeURIComponent(worker)}${range === '1h' ? '' : `&range=${range}`}`;

/** The live workers, what each runs and where it pulls from; the chosen one's machine charts below. */
export function WorkersView() {
  const search = useSearch();
  const window = windowById(search.get('range'));
  const workers = useLoad(loadWorkers, []);
  useEvery(REFRESH_MS, workers.reload);
  const list = workers.data ?? [];
  const chosen = list.find((w) => w.id === search.get('worker')) ?? list[0];
  const now = Date.now();
  return (
    <>
      {workers.error && (
        <p className="form-error" role="alert">
          Could not load the workers: {workers.error.message} <button type="button" className="link-button" onClick={workers.reload}>Retry</button>
        </p>
      )}
      <table className="simple-table boxed-table" aria-label="Workers">
        <thead>
          <tr><th>Worker</th><th>Running</th><th className="num">Running for</th><th>Queues</th><th>IP</th><th>Last report</th></tr>
        </thead>
        <tbody>
          {workers.data && list.length === 0 && (
            <tr><td className="empty" colSpan={6}>No worker has reported in the last hour. Start one with <code>cairn agent</code> or <code>clearml-agent daemon</code>.</td></tr>
          )}
          {list.map((w) => (
            <tr key={w.id} data-worker={w.id} className={w.id === chosen?.id ? 'selected' : undefined} aria-selected={w.id === chosen?.id}>
              <td><Link to={workersUrl(w.id, window.id)} className="cell-name">{w.id}</Link></td>
              <td>{w.task ? <Link to={`/experiments/${w.task.id}`}>{w.task.name || w.task.id}</Link> : <span className="muted">idle</span>}</td>
              <td className="num">{w.task?.running_time ? formatDuration(w.task.running_time / 1000) : ''}</td>
              <td>{w.queues.map((q) => q.name).join(', ')}</td>
              <td>{w.ip ?? ''}</td>
              <td title={w.last_report_time ?? w.last_activity_time}>{timeAgo(w.last_report_time ?? w.last_activity_time, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {chosen && (
        <section aria-label={`Statistics of ${chosen.id}`}>
          <div className="view-section-head">
            <h2>{chosen.id}</h2>
            <WindowSelect value={window} onChange={(w) => navigate(workersUrl(chosen.id, w.id), { replace: true })} />
          </div>
          <WorkerCharts worker={chosen.id} window={window} />
        </section>
      )}
    </>
  );
}
