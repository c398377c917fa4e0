import { call } from '../../api/client';
import type { User } from '../../api/types';
import { Link } from '../../app/router';
import { formatDate, formatDuration } from '../../ui/format';
import { STATUS_LABEL } from '../../ui/StatusBadge';
import { useLoad } from '../../ui/useLoad';
import { Fields, Section } from '../Fields';
import type { TaskDetail } from '../types';

/** An exact time, shown short with the full ISO value on hover. */
const when = (iso: string | undefined) => (iso ? <time dateTime={iso} title={iso}>{formatDate(iso)}</time> : '');

/** Seconds between start and end (or now, while it runs). */
function runTime(t: TaskDetail): number | undefined {
  if (typeof t.active_duration === 'number' && t.active_duration > 0) return t.active_duration;
  if (!t.started) return undefined;
  const end = t.completed ? Date.parse(t.completed) : t.status === 'in_progress' ? Date.now() : Date.parse(t.last_update ?? t.started);
  return (end - Date.parse(t.started)) / 1000;
}

/** Who, where and when: ids, user, worker, queue, times and why the status is what it is. */
export function InfoTab({ task, projectName }: { task: TaskDetail; projectName: string | undefined }) {
  const users = useLoad(() => call<{ users: User[] }>('users.get_all'), []);
  const queueId = task.execution?.queue;
  const queue = useLoad(
    () => (queueId ? call<{ queue: { name: string } }>('queues.get_by_id', { queue: queueId }).then((r) => r.queue.name, () => queueId) : Promise.resolve('')),
    [queueId],
  );
  const userName = users.data?.users.find((u) => u.id === task.user)?.name ?? task.user;
  const runtime = Object.entries(task.runtime ?? {});
  return (
    <div className="tab-body">
      <Section title="Experiment">
        <Fields rows={[
          ['ID', <code>{task.id}</code>],
          ['Type', task.type],
          ['Project', task.project ? <Link to={`/experiments?project=${task.project}`}>{projectName ?? task.project}</Link> : ''],
          ['Parent', task.parent ? <Link to={`/experiments/${task.parent}`}><code>{task.parent}</code></Link> : ''],
          ['User', userName],
          ['Worker', task.last_worker],
          ['Queue', queue.data],
          ['Last iteration', String(task.last_iteration ?? 0)],
        ]} />
      </Section>
      <Section title="Status">
        <Fields rows={[
          ['Status', STATUS_LABEL[task.status] ?? task.status],
          ['Status reason', task.status_reason],
          ['Status message', task.status_message],
          ['Status changed', when(task.status_changed)],
        ]} />
      </Section>
      <Section title="Times">
        <Fields rows={[
          ['Created', when(task.created)],
          ['Started', when(task.started)],
          ['Finished', when(task.completed)],
          ['Last update', when(task.last_update)],
          ['Run time', formatDuration(runTime(task))],
        ]} />
      </Section>
      {runtime.length > 0 && (
        <Section title="Runtime properties">
          <Fields rows={runtime.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])} />
        </Section>
      )}
    </div>
  );
}
