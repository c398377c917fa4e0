import { useMemo, useState } from 'react';
import { call } from '../api/client';
import type { Project, TaskStatus } from '../api/types';
import { Link, navigate, useSearch } from '../app/router';
import { ArchiveProjectDialog, CreateProjectDialog, MoveProjectDialog, RenameProjectDialog } from '../projects/ProjectDialogs';
import { treeRows } from '../projects/tree';
import { formatDate, timeAgo } from '../ui/format';
import { Popover } from '../ui/Popover';
import { STATUS_LABEL } from '../ui/StatusBadge';
import { useLoad } from '../ui/useLoad';

/** The counts shown per project, in the order users scan them. */
const COUNTED: readonly TaskStatus[] = ['in_progress', 'queued', 'created', 'completed', 'failed', 'stopped'];

type Action = { kind: 'create' } | { kind: 'rename' | 'move' | 'archive'; project: Project };

const lastUpdate = (p: Project) => {
  const t = p.stats?.active.last_task_update;
  return t && t > p.last_update ? t : p.last_update;
};

function RowMenu({ project, onPick }: { project: Project; onPick: (a: Action) => void }) {
  const [open, setOpen] = useState(false);
  const archived = project.system_tags.includes('archived');
  const pick = (kind: 'rename' | 'move' | 'archive') => {
    setOpen(false);
    onPick({ kind, project });
  };
  return (
    <span className="menu-anchor">
      <button type="button" className="icon-button" aria-label={`Actions for ${project.name}`} onClick={() => setOpen(!open)}>⋯</button>
      {open && (
        <Popover onClose={() => setOpen(false)} className="menu">
          <button type="button" onClick={() => pick('rename')}>Rename</button>
          <button type="button" onClick={() => pick('move')}>Move</button>
          <button type="button" onClick={() => pick('archive')}>{archived ? 'Restore' : 'Archive'}</button>
        </Popover>
      )}
    </span>
  );
}

export default function Projects() {
  const search = useSearch();
  const showArchived = search.get('archived') === '1';
  const filter = search.get('q') ?? '';
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [action, setAction] = useState<Action | null>(null);
  const list = useLoad(
    () => call<{ projects: Project[] }>('projects.get_all_ex', {
      include_stats: true,
      only_fields: ['id', 'name', 'basename', 'user', 'created', 'last_update', 'system_tags'],
      ...(showArchived ? {} : { system_tags: ['-archived'] }),
    }),
    [showArchived],
  );
  const projects = list.data?.projects ?? [];
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const shown = needle ? projects.filter((p) => p.name.toLowerCase().includes(needle)) : projects;
    return treeRows(shown, collapsed);
  }, [projects, collapsed, filter]);

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    const qs = next.toString();
    navigate(`/projects${qs ? `?${qs}` : ''}`, { replace: true });
  };
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };
  const done = () => {
    setAction(null);
    list.reload();
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Projects</h1>
        <input className="search" type="search" placeholder="Filter projects" aria-label="Filter projects" value={filter} onChange={(e) => setParam('q', e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={showArchived} onChange={(e) => setParam('archived', e.target.checked ? '1' : '')} />
          Show archived
        </label>
        <div className="grow" />
        <Link to="/experiments" className="button">All experiments</Link>
        <button type="button" className="primary" onClick={() => setAction({ kind: 'create' })}>New project</button>
      </div>
      {list.error && <p className="form-error" role="alert">Could not load projects: {list.error.message}</p>}
      <table className="simple-table projects-table" aria-label="Projects">
        <thead>
          <tr>
            <th>Name</th>
            {COUNTED.map((s) => <th key={s} className="num">{STATUS_LABEL[s]}</th>)}
            <th className="num">Total</th>
            <th>Last update</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map(({ project: p, depth, hasChildren, label }) => {
            const stats = p.stats?.active;
            const archived = p.system_tags.includes('archived');
            return (
              <tr key={p.id} data-project={p.name}>
                <td>
                  <span className="tree-cell" style={{ paddingLeft: depth * 18 }}>
                    {hasChildren
                      ? <button type="button" className="twisty" aria-label={collapsed.has(p.id) ? `Expand ${p.name}` : `Collapse ${p.name}`} onClick={() => toggle(p.id)}>{collapsed.has(p.id) ? '▸' : '▾'}</button>
                      : <span className="twisty" />}
                    <Link to={`/experiments?project=${p.id}`} className="project-link">{label}</Link>
                    {archived && <span className="tag tag-muted">archived</span>}
                  </span>
                </td>
                {COUNTED.map((s) => {
                  const n = stats?.status_count[s] ?? 0;
                  return <td key={s} className={`num count ${n ? `count-${s}` : 'zero'}`} data-status={s}>{n || '–'}</td>;
                })}
                <td className="num" data-total>{stats?.total_tasks ?? 0}</td>
                <td title={formatDate(lastUpdate(p))}>{timeAgo(lastUpdate(p))}</td>
                <td className="actions"><RowMenu project={p} onPick={setAction} /></td>
              </tr>
            );
          })}
          {!list.loading && rows.length === 0 && (
            <tr><td colSpan={COUNTED.length + 4} className="empty">{filter ? 'No project matches the filter.' : 'No projects yet. Run a script with Task.init(project_name=…) or create one.'}</td></tr>
          )}
        </tbody>
      </table>
      {action?.kind === 'create' && <CreateProjectDialog projects={projects} onClose={() => setAction(null)} onDone={done} />}
      {action?.kind === 'rename' && <RenameProjectDialog project={action.project} onClose={() => setAction(null)} onDone={done} />}
      {action?.kind === 'move' && <MoveProjectDialog project={action.project} projects={projects} onClose={() => setAction(null)} onDone={done} />}
      {action?.kind === 'archive' && <ArchiveProjectDialog project={action.project} onClose={() => setAction(null)} onDone={done} />}
    </div>
  );
}
