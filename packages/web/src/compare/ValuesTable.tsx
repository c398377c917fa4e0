import type { Task } from '../api/types';
import { colorAt } from './colors';
import type { ValueRow } from './values';

/**
 * Rows of named values with one column per experiment. A row whose values are not all
 * the same is highlighted; rows are grouped under their section (or metric) name.
 */
export function ValuesTable({ label, tasks, rows, groupTitle, emptyText }: {
  label: string;
  tasks: readonly Task[];
  rows: readonly ValueRow[];
  groupTitle: string;
  emptyText: string;
}) {
  let lastGroup: string | null = null;
  return (
    <div className="compare-table-box">
      <table className="simple-table compare-table" aria-label={label}>
        <thead>
          <tr>
            <th className="compare-key">{groupTitle}</th>
            {tasks.map((t, i) => (
              <th key={t.id} title={t.id}>
                <span className="cmp-swatch" style={{ background: colorAt(i) }} aria-hidden />
                {t.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr><td className="empty" colSpan={tasks.length + 1}>{emptyText}</td></tr>
          )}
          {rows.flatMap((r) => {
            const out = [];
            if (r.group !== lastGroup) {
              lastGroup = r.group;
              out.push(<tr key={`g:${r.key}`} className="compare-group"><th colSpan={tasks.length + 1} scope="rowgroup">{r.group}</th></tr>);
            }
            out.push(
              <tr key={r.key} className={r.differs ? 'differs' : undefined} data-key={`${r.group}/${r.name}`} data-differs={r.differs}>
                <th scope="row" className="compare-key">{r.name}</th>
                {r.values.map((v, i) => <td key={tasks[i].id} className={v === undefined ? 'missing' : undefined}>{v ?? '—'}</td>)}
              </tr>,
            );
            return out;
          })}
        </tbody>
      </table>
    </div>
  );
}
