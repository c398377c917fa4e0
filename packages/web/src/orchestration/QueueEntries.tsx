import { useState } from 'react';
import { Link } from '../app/router';
import { formatDuration } from '../ui/format';
import { notify, notifyError } from '../ui/notify';
import { moveTask, removeTask, type Move, type QueueEx } from './queues-api';

/**
 * The tasks waiting in one queue, the next to run first, with buttons that reorder them
 * or take one out. Every change goes to the server and the list is read back from it.
 */
export function QueueEntries({ queue, onChanged }: { queue: QueueEx; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const run = async (what: string, action: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    try {
      await action();
      if (done) notify(done);
    } catch (err) {
      notifyError(`Could not ${what}`, err);
    }
    setBusy(false);
    onChanged();
  };
  const move = (task: { id: string; name: string }, m: Move) => run(`move ${task.name}`, () => moveTask(queue.id, task.id, m));
  const remove = (task: { id: string; name: string }) =>
    run(`remove ${task.name} from ${queue.name}`, () => removeTask(queue.id, task.id), `Removed ${task.name} from ${queue.name}.`);

  if (queue.entries.length === 0) return <p className="muted queue-empty">No task is waiting in {queue.name}.</p>;
  const last = queue.entries.length - 1;
  const now = Date.now();
  return (
    <table className="simple-table queue-entries" aria-label={`Tasks in ${queue.name}`}>
      <thead>
        <tr><th className="num">#</th><th>Task</th><th>Waiting</th><th className="actions">Order</th><th className="actions" /></tr>
      </thead>
      <tbody>
        {queue.entries.map((e, i) => (
          <tr key={e.task.id} data-task={e.task.id}>
            <td className="num">{i + 1}</td>
            <td><Link to={`/experiments/${e.task.id}`}>{e.task.name || e.task.id}</Link></td>
            <td title={e.added}>{formatDuration((now - Date.parse(e.added)) / 1000)}</td>
            <td className="actions">
              <span className="button-row">
                <button type="button" disabled={busy || i === 0} aria-label={`Move ${e.task.name} to the top`} onClick={() => move(e.task, 'front')}>⤒ Top</button>
                <button type="button" disabled={busy || i === 0} aria-label={`Move ${e.task.name} up`} onClick={() => move(e.task, 'forward')}>↑</button>
                <button type="button" disabled={busy || i === last} aria-label={`Move ${e.task.name} down`} onClick={() => move(e.task, 'backward')}>↓</button>
                <button type="button" disabled={busy || i === last} aria-label={`Move ${e.task.name} to the bottom`} onClick={() => move(e.task, 'back')}>⤓ Bottom</button>
              </span>
            </td>
            <td className="actions">
              <button type="button" className="danger" disabled={busy} aria-label={`Remove ${e.task.name} from the queue`} onClick={() => remove(e.task)}>Remove</button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
