import type { Trace } from './figure';

/** A cell as text: Plotly tables hold numbers, strings, or small HTML the SDK never relies on. */
const text = (v: unknown): string => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v));

/** A Plotly `table` trace as an HTML table: header values per column, cell values column by column. */
export function TableFigure({ trace, label }: { trace: Trace; label: string }) {
  const header = (trace.header?.values ?? []).map(text);
  const columns = (trace.cells?.values ?? []).map((c) => (Array.isArray(c) ? c : [c]));
  const rows = Math.max(0, ...columns.map((c) => c.length));
  return (
    <div className="table-figure">
      <table className="simple-table" aria-label={label}>
        {header.length > 0 && <thead><tr>{header.map((h, i) => <th key={i}>{h}</th>)}</tr></thead>}
        <tbody>
          {Array.from({ length: rows }, (_, r) => (
            <tr key={r}>{columns.map((c, i) => <td key={i}>{text(c[r])}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
