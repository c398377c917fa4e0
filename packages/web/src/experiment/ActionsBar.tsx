import { useState } from 'react';
import { call } from '../api/client';
import { navigate } from '../app/router';
import { DeleteStoredFiles, storageFields } from '../ui/DeleteStoredFiles';
import { Dialog } from '../ui/Dialog';
import { EnqueueDialog } from '../ui/EnqueueDialog';
import { notify, notifyError } from '../ui/notify';
import type { TaskDetail } from './types';

type Pending = 'enqueue' | 'reset' | 'clone' | 'delete' | null;

/** Which actions the server's status rules allow from each status (protocol status.ts). */
const canAbort = (s: string) => s === 'in_progress' || s === 'queued';
const canEnqueue = (s: string) => s === 'created' || s === 'stopped' || s === 'failed';
const canReset = (s: string) => !['created', 'queued', 'published', 'publishing'].includes(s);

/** What can be done to this experiment; each action reloads the page's copy when done. */
export function ActionsBar({ task, onChanged }: { task: TaskDetail; onChanged: () => void }) {
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [deleteFiles, setDeleteFiles] = useState(true);
  const archived = (task.system_tags ?? []).includes('archived');

  /** Runs one call; on failure says what was being done and the server's reason. */
  const run = async (what: string, action: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    try {
      await action();
      if (done) notify(done);
      setPending(null);
      onChanged();
    } catch (err) {
      notifyError(`Could not ${what}`, err);
    } finally {
      setBusy(false);
    }
  };

  const clone = async (name: string) => {
    setBusy(true);
    try {
      const { id } = await call<{ id: string }>('tasks.clone', { task: task.id, new_task_name: name });
      setPending(null);
      navigate(`/experiments/${id}`);
    } catch (err) {
      notifyError('Could not clone the experiment', err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await call('tasks.delete', { task: task.id, ...storageFields(deleteFiles) });
      notify(`Deleted ${task.name}`);
      navigate(task.project ? `/experiments?project=${task.project}` : '/experiments', { replace: true });
    } catch (err) {
      notifyError('Could not delete the experiment', err);
      setBusy(false);
    }
  };

  return (
    <div className="exp-actions" role="toolbar" aria-label="Experiment actions">
      {canAbort(task.status) && (
        <button type="button" disabled={busy} onClick={() => run('abort the experiment', () => call('tasks.stop', { task: task.id }), 'Abort requested')}>Abort</button>
      )}
      {canEnqueue(task.status) && <button type="button" disabled={busy} onClick={() => setPending('enqueue')}>Enqueue…</button>}
      {canReset(task.status) && <button type="button" disabled={busy} onClick={() => setPending('reset')}>Reset…</button>}
      <button type="button" disabled={busy} onClick={() => setPending('clone')}>Clone…</button>
      <button type="button" disabled={busy}
        onClick={() => run(archived ? 'restore the experiment' : 'archive the experiment', () => call(archived ? 'tasks.unarchive_many' : 'tasks.archive_many', { ids: [task.id] }), archived ? 'Restored from the archive' : 'Archived')}>
        {archived ? 'Restore' : 'Archive'}
      </button>
      {task.status !== 'in_progress' && <button type="button" className="danger" disabled={busy} onClick={() => setPending('delete')}>Delete…</button>}

      {pending === 'enqueue' && (
        <EnqueueDialog count={1} busy={busy} onClose={() => setPending(null)}
          onSubmit={(queue) => run('enqueue the experiment', () => call('tasks.enqueue', { task: task.id, queue }), 'Enqueued')} />
      )}
      {pending === 'reset' && (
        <Dialog title="Reset experiment" submitLabel="Reset" danger busy={busy} onClose={() => setPending(null)}
          onSubmit={() => run('reset the experiment', () => call('tasks.reset', { task: task.id }), 'Reset to draft')}>
          <p>Reset “{task.name}” to a draft? Its console output, metrics, plots, debug samples, output artifacts and output models are removed.</p>
        </Dialog>
      )}
      {pending === 'clone' && <CloneDialog name={task.name} busy={busy} onClose={() => setPending(null)} onSubmit={clone} />}
      {pending === 'delete' && (
        <Dialog title="Delete experiment" submitLabel="Delete" danger busy={busy} onClose={() => setPending(null)} onSubmit={remove}>
          <p>Delete “{task.name}” with its logs, metrics and plots? This cannot be undone.</p>
          <DeleteStoredFiles checked={deleteFiles} onChange={setDeleteFiles} />
        </Dialog>
      )}
    </div>
  );
}

function CloneDialog({ name, busy, onClose, onSubmit }: { name: string; busy: boolean; onClose: () => void; onSubmit: (name: string) => void }) {
  const [value, setValue] = useState(`Clone of ${name}`);
  return (
    <Dialog title="Clone experiment" submitLabel="Clone" busy={busy || !value.trim()} onClose={onClose} onSubmit={() => onSubmit(value.trim())}>
      <label>
        Name of the clone
        <input value={value} onChange={(e) => setValue(e.target.value)} required />
      </label>
      <p className="muted">The clone is a draft with the same code, parameters and configuration, ready to edit and enqueue.</p>
    </Dialog>
  );
}
