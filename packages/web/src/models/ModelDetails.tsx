import type { ReactNode } from 'react';
import { Link } from '../app/router';
import { Fields } from '../experiment/Fields';
import { formatDate } from '../ui/format';
import type { Names } from './ModelsTable';
import type { Model } from './types';

const date = (iso: string | undefined) => (iso ? <span title={iso}>{formatDate(iso)}</span> : undefined);

/** The model's own fields and what it links to: the task that made it, its project and parent. */
export function ModelDetails({ model: m, names, userName }: { model: Model; names: Names; userName: string }) {
  const rows: [string, ReactNode][] = [
    ['ID', <code>{m.id}</code>],
    ['Framework', m.framework],
    ['Task', m.task && <Link to={`/experiments/${m.task}`}>{names.tasks.get(m.task) ?? m.task}</Link>],
    ['Project', m.project && <Link to={`/experiments?project=${m.project}`}>{names.projects.get(m.project) ?? m.project}</Link>],
    ['Parent model', m.parent && <Link to={`/models/${m.parent}`}>{m.parent}</Link>],
    ['Iteration', m.last_iteration],
    ['Created', date(m.created)],
    ['Updated', date(m.last_update)],
    ['Published', date(m.published)],
    ['User', userName],
    ['Tags', (m.tags ?? []).length > 0 && <span className="tags">{m.tags!.map((t) => <span key={t} className="tag">{t}</span>)}</span>],
    ['Comment', m.comment],
  ];
  return (
    <section className="panel" aria-label="Details">
      <h2>Details</h2>
      <Fields rows={rows.map(([label, value]) => [label, value === false ? undefined : value])} />
    </section>
  );
}
