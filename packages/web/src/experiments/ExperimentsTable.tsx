import { useEffect, useLayoutEffect, useRef, useState, type ChangeEvent } from 'react';
import type { Task } from '../api/types';
import type { Column, RenderContext } from './columns';
import { FilterMenu } from './FilterMenu';

export const ROW_HEIGHT = 30;
const OVERSCAN = 10;
/** Start loading the next page this many rows before the end of what is loaded. */
const PREFETCH = 100;
const CHECK_WIDTH = 34;

export interface TableProps {
  columns: Column[];
  rows: Task[];
  complete: boolean;
  loading: boolean;
  project: string;
  sort: { key: string; desc: boolean };
  filters: Record<string, string[]>;
  selected: ReadonlySet<string>;
  ctx: RenderContext;
  onSort: (key: string) => void;
  onFilter: (key: string, values: string[]) => void;
  onRemoveColumn: (key: string) => void;
  onSelect: (ids: string[], on: boolean) => void;
  onNearEnd: () => void;
  /** what an empty, fully loaded table says */
  emptyText: string;
  /** changes when the query does: the view goes back to the first row */
  queryKey: string;
}

/**
 * The experiments grid: a header that stays on top and only the rows in view (plus a
 * few) in the page, so that 10,000 loaded rows scroll as smoothly as 10.
 */
export function ExperimentsTable(p: TableProps) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const anchor = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = box.current!;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    box.current!.scrollTop = 0;
  }, [p.queryKey]);

  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(p.rows.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  useEffect(() => {
    if (!p.complete && !p.loading && last + PREFETCH >= p.rows.length) p.onNearEnd();
  }, [last, p.rows.length, p.complete, p.loading, p.onNearEnd]);

  const template = `${CHECK_WIDTH}px ${p.columns.map((c) => `${c.width}px`).join(' ')}`;
  const width = CHECK_WIDTH + p.columns.reduce((s, c) => s + c.width, 0);
  const allSelected = p.rows.length > 0 && p.rows.every((r) => p.selected.has(r.id));

  /** Shift-click selects the range from the last clicked row, as in a file manager. */
  const clickCheck = (index: number, e: ChangeEvent<HTMLInputElement>) => {
    const on = e.target.checked;
    if ((e.nativeEvent as MouseEvent).shiftKey && anchor.current !== null) {
      const [a, b] = [Math.min(anchor.current, index), Math.max(anchor.current, index)];
      p.onSelect(p.rows.slice(a, b + 1).map((r) => r.id), on);
    } else {
      p.onSelect([p.rows[index].id], on);
    }
    anchor.current = index;
  };

  const visible = p.rows.slice(first, last);
  return (
    <div className="grid-box" ref={box} onScroll={(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}>
      <div className="grid" role="grid" aria-label="Experiments" aria-rowcount={p.complete ? p.rows.length + 1 : -1} style={{ width, minWidth: '100%' }}>
        <div className="grid-head" role="row" style={{ gridTemplateColumns: template }}>
          <div className="cell check-cell" role="columnheader">
            <input type="checkbox" aria-label="Select all loaded" checked={allSelected} onChange={(e) => p.onSelect(p.rows.map((r) => r.id), e.target.checked)} />
          </div>
          {p.columns.map((c) => {
            const sorted = p.sort.key === c.key;
            return (
              <div key={c.key} className={`cell head-cell${c.numeric ? ' num' : ''}`} role="columnheader" data-column={c.key} title={c.title}
                aria-sort={sorted ? (p.sort.desc ? 'descending' : 'ascending') : 'none'}>
                <button type="button" className="sort-button" disabled={!c.orderBy} onClick={() => p.onSort(c.key)}>
                  <span className="head-label">{c.label}</span>
                  {sorted && <span className="sort-mark">{p.sort.desc ? '▼' : '▲'}</span>}
                </button>
                {c.filter && <FilterMenu column={c} project={p.project} selected={p.filters[c.key] ?? []} onChange={(v) => p.onFilter(c.key, v)} />}
                {c.added && <button type="button" className="icon-button remove-col" aria-label={`Remove column ${c.label}`} onClick={() => p.onRemoveColumn(c.key)}>×</button>}
              </div>
            );
          })}
        </div>
        <div className="grid-body" style={{ height: (p.rows.length + (p.complete ? 0 : 1)) * ROW_HEIGHT }}>
          {visible.map((t, i) => {
            const index = first + i;
            const on = p.selected.has(t.id);
            return (
              <div key={t.id} className={on ? 'grid-row selected' : 'grid-row'} role="row" data-id={t.id}
                style={{ gridTemplateColumns: template, transform: `translateY(${index * ROW_HEIGHT}px)` }}>
                <div className="cell check-cell" role="gridcell">
                  <input type="checkbox" aria-label={`Select ${t.name}`} checked={on} onChange={(e) => clickCheck(index, e)} />
                </div>
                {p.columns.map((c) => (
                  <div key={c.key} className={`cell${c.numeric ? ' num' : ''}`} role="gridcell" data-column={c.key}>{c.render(t, p.ctx)}</div>
                ))}
              </div>
            );
          })}
          {p.complete && p.rows.length === 0 && <div className="empty-row">{p.emptyText}</div>}
          {!p.complete && (
            <div className="grid-row loading-row" style={{ transform: `translateY(${p.rows.length * ROW_HEIGHT}px)`, width }}>
              {p.loading ? 'Loading…' : ''}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
