/**
 * The models table's view lives in the address, so that a reload or a shared link shows
 * the same page: `/models?q=resnet&sort=-created&page=2&ready=draft&archived=1`.
 */
export type ReadyFilter = 'all' | 'published' | 'draft';

export interface ModelsView {
  q: string;
  /** a sortable column key, `-` first for descending */
  sort: string;
  page: number;
  ready: ReadyFilter;
  archived: boolean;
}

export const DEFAULT_SORT = '-created';

export function parseView(search: URLSearchParams): ModelsView {
  const page = Number(search.get('page'));
  const ready = search.get('ready');
  return {
    q: search.get('q') ?? '',
    sort: search.get('sort') || DEFAULT_SORT,
    page: Number.isInteger(page) && page > 0 ? page : 0,
    ready: ready === 'published' || ready === 'draft' ? ready : 'all',
    archived: search.get('archived') === '1',
  };
}

export function viewToSearch(v: ModelsView): string {
  const p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.sort !== DEFAULT_SORT) p.set('sort', v.sort);
  if (v.page > 0) p.set('page', String(v.page));
  if (v.ready !== 'all') p.set('ready', v.ready);
  if (v.archived) p.set('archived', '1');
  const s = p.toString();
  return s ? `?${s}` : '';
}
