import type { Column } from './columns';
import { rangeRequest } from './range-filter';
import type { TableState } from './url-state';

/** The `tasks.get_all_ex` request for a view of the table, without its page. */
export function taskQuery(state: TableState, columns: readonly Column[]): Record<string, unknown> {
  const sortColumn = columns.find((c) => c.key === state.sort && c.orderBy);
  const body: Record<string, unknown> = {
    only_fields: [...new Set(['id', 'name', 'status', 'tags', ...columns.flatMap((c) => c.fields)])],
    order_by: sortColumn ? [`${state.desc ? '-' : ''}${sortColumn.orderBy}`, '-created'] : ['-created'],
    system_tags: state.archived ? ['archived'] : ['-archived'],
  };
  if (state.project) body.project = [state.project];
  if (state.q.trim()) body.search_text = state.q.trim();
  for (const c of columns) {
    const values = state.filters[c.key];
    if (!c.filter || !c.filterField || !values?.length) continue;
    if (c.filter.kind === 'range') {
      const range = rangeRequest(c.filter.unit, values);
      if (range) body[c.filterField] = range;
    } else {
      body[c.filterField] = values;
    }
  }
  return body;
}
