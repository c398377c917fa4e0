import { useState, type FormEvent } from 'react';
import { call } from '../api/client';
import { notifyError } from '../ui/notify';
import { StatusBadge } from '../ui/StatusBadge';
import { InlineEdit } from './InlineEdit';
import type { TaskDetail } from './types';

/** `tasks.update` changes descriptive fields in any status, a running experiment's included. */
async function update(task: TaskDetail, fields: Record<string, unknown>, what: string, onChanged: () => void): Promise<void> {
  try {
    await call('tasks.update', { task: task.id, ...fields });
  } catch (err) {
    notifyError(`Could not save the ${what}`, err);
    throw err;
  }
  onChanged();
}

function Tags({ task, onChanged }: { task: TaskDetail; onChanged: () => void }) {
  const [adding, setAdding] = useState<string | null>(null);
  const tags = task.tags ?? [];
  const save = (next: string[]) => update(task, { tags: next }, 'tags', onChanged).catch(() => undefined);
  const add = (e: FormEvent) => {
    e.preventDefault();
    const tag = (adding ?? '').trim();
    setAdding(null);
    if (tag && !tags.includes(tag)) void save([...tags, tag]);
  };
  return (
    <div className="exp-tags" aria-label="Tags">
      {tags.map((t) => (
        <span key={t} className="tag">
          {t}
          <button type="button" className="tag-remove" aria-label={`Remove tag ${t}`} onClick={() => save(tags.filter((x) => x !== t))}>×</button>
        </span>
      ))}
      {adding === null
        ? <button type="button" className="link-button" onClick={() => setAdding('')}>+ Add tag</button>
        : (
          <form onSubmit={add} className="tag-form">
            <input aria-label="New tag" value={adding} autoFocus onChange={(e) => setAdding(e.target.value)}
              onKeyDown={(e) => e.key === 'Escape' && setAdding(null)} onBlur={() => adding.trim() === '' && setAdding(null)} />
          </form>
        )}
    </div>
  );
}

/** Name, status, progress, tags and comment of the experiment, each editable where it stands. */
export function ExperimentHeader({ task, onChanged }: { task: TaskDetail; onChanged: () => void }) {
  const archived = (task.system_tags ?? []).includes('archived');
  return (
    <div className="exp-header">
      <div className="exp-title">
        <InlineEdit label="name" value={task.name} display={<h1>{task.name}</h1>} onSave={(name) => update(task, { name }, 'name', onChanged)} />
        <StatusBadge status={task.status} />
        {archived && <span className="tag tag-muted">archived</span>}
        <span className="muted" data-last-iteration={task.last_iteration ?? 0}>Iteration {task.last_iteration ?? 0}</span>
        {task.status_message === 'stopping' && <span className="muted">stopping…</span>}
      </div>
      <Tags task={task} onChanged={onChanged} />
      <div className="exp-comment">
        <InlineEdit label="comment" multiline value={task.comment ?? ''}
          display={task.comment ? <span className="comment-text">{task.comment}</span> : <span className="muted">No comment</span>}
          onSave={(comment) => update(task, { comment }, 'comment', onChanged)} />
      </div>
    </div>
  );
}
