import { Fragment, useState } from 'react';
import { navigate, useSearch } from '../app/router';
import { formatDuration } from '../ui/format';
import { useLoad } from '../ui/useLoad';
import { QueueCharts } from './QueueCharts';
import { QueueEntries } from './QueueEntries';
import { loadQueues, longestWait } from './queues-api';
import { windowById, WindowSelect } from './time-range';
import { useEvery } from './useEvery';

const REFRESH_MS = 10_000;

/** Every queue with its length and longest wait; a queue opens to list its tasks in order. */
export function QueuesView() {
  const search = useSearch();
  const window = windowById(search.get('range'));
  const queues = useLoad(loadQueues, []);
  useEvery(REFRESH_MS, queues.reload);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => setOpen((prev) => {
    const next = new Set(prev);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });

  const list = queues.data ?? [];
  const now = Date.now();
  return (
    <>
      {queues.error && (
        <p className="form-error" role="alert">
          Could not load the queues: {queues.error.message} <button type="button" className="link-button" onClick={queues.reload}>Retry</button>
        </p>
      )}
      <table className="simple-table boxed-table" aria-label="Queues">
        <thead>
          <tr><th>Queue</th><th className="num">Pending</th><th className="num">Longest wait</th><th>Workers</th><th>Next task</th></tr>
        </thead>
        <tbody>
          {queues.data && list.length === 0 && <tr><td className="empty" colSpan={5}>No queues yet. Enqueuing an experiment or starting an agent creates one.</td></tr>}
          {list.map((q) => {
            const expanded = open.has(q.id);
            return (
              <Fragment key={q.id}>
                <tr data-queue={q.name} className={expanded ? 'open' : undefined}>
                  <td>
                    <span className="tree-cell">
                      <button type="button" className="twisty" aria-expanded={expanded} aria-label={`${expanded ? 'Hide' : 'Show'} the tasks in ${q.name}`} onClick={() => toggle(q.id)}>
                        {expanded ? '▾' : '▸'}
                      </button>
                      <button type="button" className="link-button queue-name" onClick={() => toggle(q.id)}>{q.name}</button>
                      {q.system_tags.includes('default') && <span className="tag tag-muted">default</span>}
                    </span>
                  </td>
                  <td className="num" data-column="pending">{q.entries.length}</td>
                  <td className="num">{formatDuration(longestWait(q, now))}</td>
                  <td title={q.workers.map((w) => w.name).join('\n')}>{q.workers.length === 0 ? <span className="muted">none</span> : q.workers.length}</td>
                  <td>{q.entries[0]?.task.name ?? ''}</td>
                </tr>
                {expanded && (
                  <tr className="queue-detail">
                    <td colSpan={5}><QueueEntries queue={q} onChanged={queues.reload} /></td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <div className="view-section-head">
        <h2>History</h2>
        <WindowSelect value={window} onChange={(w) => navigate(`/queues?range=${w.id}`, { replace: true })} />
      </div>
      {list.length > 0 && <QueueCharts queues={list} window={window} />}
    </>
  );
}
