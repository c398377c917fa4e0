import { useCallback, useEffect, useMemo, useState } from 'react';
import { call } from '../api/client';
import type { Project, User } from '../api/types';
import { Link, navigate, useSearch } from '../app/router';
import { BulkBar } from '../experiments/BulkBar';
import { ColumnPicker } from '../experiments/ColumnPicker';
import { tableColumns, type RenderContext } from '../experiments/columns';
import { ExperimentsTable } from '../experiments/ExperimentsTable';
import { filterChipText } from '../experiments/filter-summary';
import { taskQuery } from '../experiments/request';
import { DEFAULT_SORT, parseState, stateToSearch, type TableState } from '../experiments/url-state';
import { useTaskPages } from '../experiments/useTaskPages';
import { useLoad } from '../ui/useLoad';

const SEARCH_DELAY_MS = 300;

export default function Experiments() {
  const search = useSearch();
  const state = parseState(search);
  const update = useCallback((change: Partial<TableState>) => {
    navigate(`/experiments${stateToSearch({ ...parseState(new URLSearchParams(window.location.search)), ...change })}`, { replace: true });
  }, []);

  const project = useLoad(
    () => (state.project ? call<{ project: Project }>('projects.get_by_id', { project: state.project }).then((r) => r.project) : Promise.resolve(null)),
    [state.project],
  );
  const users = useLoad(() => call<{ users: User[] }>('users.get_all'), []);
  const acrossProjects = !state.project;
  const projects = useLoad(
    () => (acrossProjects ? call<{ projects: Project[] }>('projects.get_all', { only_fields: ['id', 'name'], search_hidden: true }).then((r) => r.projects) : Promise.resolve([])),
    [acrossProjects],
  );

  const colsKey = state.cols.join(',');
  const columns = useMemo(() => tableColumns(state.cols, acrossProjects), [colsKey, acrossProjects]);
  const queryKey = JSON.stringify(taskQuery(state, columns));
  const query = useMemo(() => JSON.parse(queryKey) as Record<string, unknown>, [queryKey]);
  const pages = useTaskPages(query);

  const [selected, setSelected] = useState<Set<string>>(new Set());
  useEffect(() => setSelected(new Set()), [queryKey]);
  const select = useCallback((ids: string[], on: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      ids.forEach((id) => (on ? next.add(id) : next.delete(id)));
      return next;
    });
  }, []);
  const afterBulk = () => {
    setSelected(new Set());
    pages.reload();
  };

  const [text, setText] = useState(state.q);
  useEffect(() => setText(state.q), [state.q]);
  useEffect(() => {
    if (text === state.q) return;
    const t = setTimeout(() => update({ q: text }), SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [text]);

  const ctx: RenderContext = useMemo(() => {
    const names = new Map((users.data?.users ?? []).map((u) => [u.id, u.name]));
    const projectNames = new Map((projects.data ?? []).map((p) => [p.id, p.name]));
    return { userName: (id) => names.get(id) ?? id, projectName: (id) => projectNames.get(id) ?? id };
  }, [users.data, projects.data]);

  const activeFilters = Object.entries(state.filters).filter(([, v]) => v.length > 0);
  const title = state.project ? project.data?.name ?? '' : 'All experiments';
  const count = `${pages.rows.length}${pages.complete ? '' : '+'} experiment${pages.rows.length === 1 && pages.complete ? '' : 's'}`;

  return (
    <div className="page page-fill">
      <div className="page-head">
        <div className="crumbs">
          <Link to="/projects">Projects</Link>
          <span aria-hidden>/</span>
          <h1>{title}</h1>
          {state.archived && <span className="tag tag-muted">archive</span>}
        </div>
        <input className="search" type="search" placeholder="Search name, id or comment" aria-label="Search experiments" value={text} onChange={(e) => setText(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={state.archived} onChange={(e) => update({ archived: e.target.checked })} />
          Show archived
        </label>
        {activeFilters.length > 0 && (
          <div className="filter-summary">
            {activeFilters.map(([key, values]) => (
              <span key={key} className="chip">{filterChipText(columns.find((c) => c.key === key), key, values, ctx.userName)}</span>
            ))}
            <button type="button" className="link-button" onClick={() => update({ filters: {} })}>Clear filters</button>
          </div>
        )}
        <div className="grow" />
        <span className="muted" aria-live="polite" data-count>{pages.loading && pages.rows.length === 0 ? 'Loading…' : count}</span>
        <ColumnPicker project={state.project} added={state.cols} onChange={(cols) => update({ cols })} />
      </div>
      {project.error && <p className="form-error" role="alert">Could not load the project: {project.error.message}</p>}
      {selected.size > 0 && (
        <BulkBar selected={[...selected]} rows={pages.rows} archived={state.archived} onDone={afterBulk} onClear={() => setSelected(new Set())} />
      )}
      {pages.error && (
        <p className="form-error" role="alert">
          Could not load experiments: {pages.error.message} <button type="button" className="link-button" onClick={pages.reload}>Retry</button>
        </p>
      )}
      <ExperimentsTable
        columns={columns}
        rows={pages.rows}
        complete={pages.complete}
        loading={pages.loading}
        project={state.project}
        sort={{ key: state.sort, desc: state.desc }}
        filters={state.filters}
        selected={selected}
        ctx={ctx}
        onSort={(key) => update(key === state.sort ? { desc: !state.desc } : { sort: key, desc: false })}
        onFilter={(key, values) => update({ filters: { ...state.filters, [key]: values } })}
        onRemoveColumn={(key) => {
          const { [key]: _dropped, ...filters } = state.filters;
          update({ cols: state.cols.filter((c) => c !== key), filters, ...(state.sort === key ? DEFAULT_SORT : {}) });
        }}
        onSelect={select}
        onNearEnd={pages.loadMore}
        queryKey={queryKey}
        emptyText={pages.error ? '' : activeFilters.length || state.q ? 'No experiment matches the search and filters.' : 'No experiments here yet.'}
      />
    </div>
  );
}
