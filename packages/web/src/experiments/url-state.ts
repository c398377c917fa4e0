import { decItem, encItem, parseAdded } from './column-keys';

/**
 * Everything the experiments table shows, kept in the address so that a reload, a
 * bookmark or a shared link opens the same view:
 *   project  the project id (none: every project)
 *   q        free-text search
 *   sort     a column id, `-` first for descending
 *   cols     added columns, comma-separated column ids
 *   f.<col>  the values a column is filtered to, comma-separated; for a range column
 *            `min,max`, either left empty for an open end
 *   archived `1` to show the archive instead of the active experiments
 */
export interface TableState {
  project: string;
  q: string;
  sort: string;
  desc: boolean;
  cols: string[];
  filters: Record<string, string[]>;
  archived: boolean;
}

export const DEFAULT_SORT = { sort: 'started', desc: true };

const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);

export function parseState(search: URLSearchParams): TableState {
  const rawSort = search.get('sort') ?? '';
  const filters: Record<string, string[]> = {};
  for (const [k, v] of search) {
    // Empty items stay: they are the open ends of ranges.
    if (k.startsWith('f.') && v) filters[k.slice(2)] = v.split(',').map(decItem);
  }
  return {
    project: search.get('project') ?? '',
    q: search.get('q') ?? '',
    sort: rawSort ? rawSort.replace(/^-/, '') : DEFAULT_SORT.sort,
    desc: rawSort ? rawSort.startsWith('-') : DEFAULT_SORT.desc,
    cols: list(search.get('cols')).filter((c) => parseAdded(c) !== null),
    filters,
    archived: search.get('archived') === '1',
  };
}

export function stateToSearch(s: TableState): string {
  const out = new URLSearchParams();
  if (s.project) out.set('project', s.project);
  if (s.q) out.set('q', s.q);
  if (s.sort !== DEFAULT_SORT.sort || s.desc !== DEFAULT_SORT.desc) out.set('sort', `${s.desc ? '-' : ''}${s.sort}`);
  if (s.cols.length) out.set('cols', s.cols.join(','));
  for (const [k, v] of Object.entries(s.filters)) if (v.length) out.set(`f.${k}`, v.map(encItem).join(','));
  if (s.archived) out.set('archived', '1');
  const qs = out.toString();
  return qs ? `?${qs}` : '';
}
