import { useCallback, useEffect, useState } from 'react';
import { navigate, useSearch } from '../app/router';
import { ModelsTable } from '../models/ModelsTable';
import { loadModelPage, loadNames, PAGE_SIZE } from '../models/request';
import { parseView, viewToSearch, type ModelsView, type ReadyFilter } from '../models/url-state';
import { useLoad } from '../ui/useLoad';

const SEARCH_DELAY_MS = 300;

/** `/models`: every model, a page at a time, sorted and searched on the server. */
export default function Models() {
  const view = parseView(useSearch());
  const update = useCallback((change: Partial<ModelsView>) => {
    // Any change but turning the page starts again from the first page.
    const next = { ...parseView(new URLSearchParams(window.location.search)), page: 0, ...change };
    navigate(`/models${viewToSearch(next)}`, { replace: true });
  }, []);

  const key = viewToSearch(view);
  const page = useLoad(async () => {
    const models = await loadModelPage(view);
    return { models, names: await loadNames(models) };
  }, [key]);

  const [text, setText] = useState(view.q);
  useEffect(() => setText(view.q), [view.q]);
  useEffect(() => {
    if (text === view.q) return;
    const t = setTimeout(() => update({ q: text }), SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [text]);

  const models = page.data?.models ?? [];
  const first = view.page * PAGE_SIZE;
  const full = models.length === PAGE_SIZE;
  const filtered = view.q !== '' || view.ready !== 'all';
  return (
    <div className="page">
      <div className="page-head">
        <h1>Models</h1>
        <input className="search" type="search" placeholder="Search name, id or comment" aria-label="Search models" value={text} onChange={(e) => setText(e.target.value)} />
        <label className="check">
          Status
          <select value={view.ready} aria-label="Status" onChange={(e) => update({ ready: e.target.value as ReadyFilter })}>
            <option value="all">All</option>
            <option value="published">Published</option>
            <option value="draft">Draft</option>
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={view.archived} onChange={(e) => update({ archived: e.target.checked })} />
          Show archived
        </label>
        <div className="grow" />
        <span className="muted" aria-live="polite">
          {page.loading && !page.data ? 'Loading…' : models.length === 0 ? '' : `${first + 1}–${first + models.length}`}
        </span>
        <button type="button" disabled={view.page === 0} onClick={() => update({ page: view.page - 1 })} aria-label="Previous page">‹ Prev</button>
        <button type="button" disabled={!full} onClick={() => update({ page: view.page + 1 })} aria-label="Next page">Next ›</button>
      </div>
      {page.error && (
        <p className="form-error" role="alert">
          Could not load the models: {page.error.message} <button type="button" className="link-button" onClick={page.reload}>Retry</button>
        </p>
      )}
      {page.data && (
        <ModelsTable models={models} names={page.data.names} sort={view.sort}
          onSort={(col) => update({ sort: view.sort === col ? `-${col}` : col })}
          emptyText={view.page > 0 ? 'No more models.' : filtered ? 'No model matches the search and filters.' : view.archived ? 'No archived models.' : 'No models yet. Models appear here when experiments save them.'} />
      )}
    </div>
  );
}
