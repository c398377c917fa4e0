import type { ReactNode } from 'react';
import { Link } from '../app/router';
import { formatDate } from '../ui/format';
import { ReadyBadge } from './ReadyBadge';
import { SORTABLE } from './request';
import type { Model } from './types';

interface Column {
  key: string;
  label: string;
  render: (m: Model, names: Names) => ReactNode;
}

export interface Names {
  tasks: ReadonlyMap<string, string>;
  projects: ReadonlyMap<string, string>;
}

const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', render: (m) => <Link to={`/models/${m.id}`} className="cell-name">{m.name}</Link> },
  { key: 'framework', label: 'Framework', render: (m) => m.framework ?? '' },
  { key: 'tags', label: 'Tags', render: (m) => <span className="tags">{(m.tags ?? []).map((t) => <span key={t} className="tag">{t}</span>)}</span> },
  { key: 'ready', label: 'Status', render: (m) => <ReadyBadge ready={m.ready === true} /> },
  { key: 'task', label: 'Task', render: (m, n) => (m.task ? <Link to={`/experiments/${m.task}`}>{n.tasks.get(m.task) ?? m.task}</Link> : '') },
  { key: 'project', label: 'Project', render: (m, n) => (m.project ? <Link to={`/experiments?project=${m.project}`}>{n.projects.get(m.project) ?? m.project}</Link> : '') },
  { key: 'created', label: 'Created', render: (m) => <span title={m.created}>{formatDate(m.created)}</span> },
];

/** The models of one page; headers of sortable columns sort on the server. */
export function ModelsTable({ models, names, sort, onSort, emptyText }: {
  models: readonly Model[];
  names: Names;
  sort: string;
  onSort: (key: string) => void;
  emptyText: string;
}) {
  const desc = sort.startsWith('-');
  const sortKey = sort.replace(/^-/, '');
  return (
    <table className="simple-table boxed-table" aria-label="Models">
      <thead>
        <tr>
          {COLUMNS.map((c) => {
            const sorted = sortKey === c.key;
            return (
              <th key={c.key} data-column={c.key} aria-sort={sorted ? (desc ? 'descending' : 'ascending') : undefined}>
                {SORTABLE[c.key]
                  ? <button type="button" className="sort-button" onClick={() => onSort(c.key)}>{c.label}{sorted && <span className="sort-mark">{desc ? ' ▼' : ' ▲'}</span>}</button>
                  : c.label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {models.length === 0 && <tr><td className="empty" colSpan={COLUMNS.length}>{emptyText}</td></tr>}
        {models.map((m) => (
          <tr key={m.id} data-id={m.id}>
            {COLUMNS.map((c) => <td key={c.key} data-column={c.key}>{c.render(m, names)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
