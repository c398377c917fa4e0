import type { TaskStatus } from '../api/types';
import { STATUS_LABEL } from '../ui/StatusBadge';
import type { Column } from './columns';
import { rangeText } from './range-filter';

/**
 * A filter as its chip over the table says it: `Status: Failed, Aborted`,
 * `accuracy › val: 0.5 – 1`, `Iterations: ≥ 10`. A filter on a column that is not
 * shown (a hand-made address) is named by its column id.
 */
export function filterChipText(column: Column | undefined, key: string, values: readonly string[], userName: (id: string) => string): string {
  const label = column?.label ?? key;
  const filter = column?.filter;
  if (filter?.kind === 'range') return `${label}: ${rangeText(filter.unit, values)}`;
  const valueLabel = (v: string) => (filter?.kind === 'user' ? userName(v) : filter?.kind === 'status' ? STATUS_LABEL[v as TaskStatus] ?? v : v);
  return `${label}: ${values.map(valueLabel).join(', ')}`;
}
