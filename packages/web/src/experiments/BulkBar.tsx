import { useState } from 'react';
import { call } from '../api/client';
import { Link } from '../app/router';
import type { Task } from '../api/types';
import { DeleteStoredFiles, storageFields } from '../ui/DeleteStoredFiles';
import { Dialog } from '../ui/Dialog';
import { EnqueueDialog } from '../ui/EnqueueDialog';
import { notify } from '../ui/notify';
import { describe, eachTask, manyCall, type BulkResult } from './bulk';

type Pending = 'enqueue' | 'abort' | 'delete' | 'tag' | null;

/** Actions on the selected experiments; each ends with one message saying what happened. */
export function BulkBar({ selected, rows, archived, onDone, onClear }: {
  selected: string[];
  rows: readonly Task[];
  archived: boolean;
  onDone: () => void;
  onClear: () => void;
}) {
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [deleteFiles, setDeleteFiles] = useState(true);
  const byId = new Map(rows.map((t) => [t.id, t]));
  const nameOf = (id: string) => byId.get(id)?.name ?? id;

  const run = async (verb: string, past: string, action: () => Promise<BulkResult>) => {
    setBusy(true);
    try {
      const { text, ok } = describe(await action(), verb, past, nameOf);
      notify(text, ok ? 'info' : 'error');
    } catch (err) {
      notify(`Could not ${verb} the experiments: ${(err as Error).message}`, 'error');
    }
    setBusy(false);
    setPending(null);
    onDone();
  };

  const n = selected.length;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected experiments">
      <strong>{n} selected</strong>
      <button type="button" disabled={busy} onClick={() => setPending('enqueue')}>Enqueue…</button>
      <button type="button" disabled={busy} onClick={() => setPending('abort')}>Abort</button>
      {archived
        ? <button type="button" disabled={busy} onClick={() => run('restore', 'Restored', () => manyCall('tasks.unarchive_many', selected))}>Restore</button>
        : <button type="button" disabled={busy} onClick={() => run('archive', 'Archived', () => manyCall('tasks.archive_many', selected))}>Archive</button>}
      <button type="button" disabled={busy} onClick={() => setPending('tag')}>Add tag…</button>
      {n >= 2 && n <= 20
        ? <Link to={`/compare?ids=${selected.join(',')}`} className="button">Compare</Link>
        : <button type="button" disabled title="Select 2 to 20 experiments to compare">Compare</button>}
      <button type="button" className="danger" disabled={busy} onClick={() => setPending('delete')}>Delete…</button>
      <button type="button" className="link-button" onClick={onClear}>Clear selection</button>

      {pending === 'enqueue' && (
        <EnqueueDialog count={n} busy={busy} onClose={() => setPending(null)}
          onSubmit={(queue) => run('enqueue', 'Enqueued', () => eachTask(selected, (task) => call('tasks.enqueue', { task, queue })))} />
      )}
      {pending === 'abort' && (
        <Dialog title="Abort experiments" submitLabel="Abort" danger busy={busy} onClose={() => setPending(null)}
          onSubmit={() => run('abort', 'Aborted', () => eachTask(selected, (task) => call('tasks.stop', { task })))}>
          <p>Stop {n} running or queued experiment{n === 1 ? '' : 's'}? Their results so far are kept.</p>
        </Dialog>
      )}
      {pending === 'delete' && (
        <Dialog title="Delete experiments" submitLabel="Delete" danger busy={busy} onClose={() => setPending(null)}
          onSubmit={() => run('delete', 'Deleted', () => manyCall('tasks.delete_many', selected, storageFields(deleteFiles)))}>
          <p>Delete {n} experiment{n === 1 ? '' : 's'} with their logs, metrics and plots? This cannot be undone.</p>
          <DeleteStoredFiles checked={deleteFiles} onChange={setDeleteFiles} />
        </Dialog>
      )}
      {pending === 'tag' && (
        <TagDialog count={n} busy={busy} onClose={() => setPending(null)}
          onSubmit={(tag) => run('tag', 'Tagged', () => eachTask(selected, (task) => {
            const tags = byId.get(task)?.tags ?? [];
            return tags.includes(tag) ? Promise.resolve() : call('tasks.update', { task, tags: [...tags, tag] });
          }))} />
      )}
    </div>
  );
}

function TagDialog({ count, busy, onClose, onSubmit }: { count: number; busy: boolean; onClose: () => void; onSubmit: (tag: string) => void }) {
  const [tag, setTag] = useState('');
  return (
    <Dialog title="Add a tag" submitLabel="Add tag" busy={busy || !tag.trim()} onClose={onClose} onSubmit={() => onSubmit(tag.trim())}>
      <label>
        Tag
        <input value={tag} onChange={(e) => setTag(e.target.value)} required />
      </label>
      <p className="muted">Added to {count} experiment{count === 1 ? '' : 's'}.</p>
    </Dialog>
  );
}
