import { useState, type CSSProperties } from 'react';
import { fixedBelow, Popover } from '../ui/Popover';
import { useLoad } from '../ui/useLoad';
import type { Column } from './columns';
import { filterOptions } from './filter-options';

const WIDTH = 240;

/** The funnel in a column header: a checklist of the values the column can be filtered to. */
export function FilterMenu({ column, project, selected, onChange }: { column: Column; project: string; selected: string[]; onChange: (values: string[]) => void }) {
  const [style, setStyle] = useState<CSSProperties | null>(null);
  const active = selected.length > 0;
  return (
    <span className="menu-anchor">
      <button
        type="button"
        className={active ? 'filter-button active' : 'filter-button'}
        aria-label={`Filter ${column.label}`}
        title={active ? `Filtered to ${selected.length} value(s)` : `Filter ${column.label}`}
        onClick={(e) => setStyle(style ? null : fixedBelow(e.currentTarget, WIDTH))}
      >
        <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden><path d="M0 1h10L6 5.5V10L4 9V5.5z" fill="currentColor" /></svg>
      </button>
      {style && (
        <Popover onClose={() => setStyle(null)} className="filter-menu" style={style}>
          <Choices column={column} project={project} selected={selected} onChange={onChange} />
        </Popover>
      )}
    </span>
  );
}

function Choices({ column, project, selected, onChange }: { column: Column; project: string; selected: string[]; onChange: (values: string[]) => void }) {
  const options = useLoad(() => filterOptions(column.filter!, project), [column.key, project]);
  const [needle, setNeedle] = useState('');
  const all = options.data ?? [];
  const shown = needle ? all.filter((o) => o.label.toLowerCase().includes(needle.toLowerCase())) : all;
  const toggle = (value: string) => onChange(selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value]);
  return (
    <div role="group" aria-label={`${column.label} filter`}>
      {all.length > 8 && <input type="search" placeholder="Search values" value={needle} onChange={(e) => setNeedle(e.target.value)} autoFocus />}
      {options.error && <p className="form-error">Could not load the values: {options.error.message}</p>}
      <div className="choices">
        {shown.map((o) => (
          <label key={o.value} className="check">
            <input type="checkbox" checked={selected.includes(o.value)} onChange={() => toggle(o.value)} />
            {o.label}
          </label>
        ))}
        {!options.loading && shown.length === 0 && <p className="muted">No values.</p>}
      </div>
      <div className="menu-foot">
        <button type="button" className="link-button" disabled={selected.length === 0} onClick={() => onChange([])}>Clear filter</button>
      </div>
    </div>
  );
}
