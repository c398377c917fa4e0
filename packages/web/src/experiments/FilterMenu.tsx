import { useState, type CSSProperties, type FormEvent } from 'react';
import { fixedBelow, Popover } from '../ui/Popover';
import { useLoad } from '../ui/useLoad';
import type { Column, ListSource } from './columns';
import { filterOptions } from './filter-options';
import { boundFromInput, boundInput, boundsOf, inverted, rangeText, type Bounds, type RangeUnit } from './range-filter';

const WIDTH = 240;
/** A datetime-local input needs room for its date, time and picker button. */
const DATE_WIDTH = 300;

/**
 * The funnel in a column header: a checklist of the values the column can be filtered
 * to, or for ordered values (numbers, dates, run times) a min / max range.
 */
export function FilterMenu({ column, project, selected, onChange }: { column: Column; project: string; selected: string[]; onChange: (values: string[]) => void }) {
  const [style, setStyle] = useState<CSSProperties | null>(null);
  const filter = column.filter!;
  const active = selected.length > 0;
  const summary = filter.kind === 'range' ? rangeText(filter.unit, selected) : `${selected.length} value(s)`;
  const width = filter.kind === 'range' && filter.unit === 'date' ? DATE_WIDTH : WIDTH;
  return (
    <span className="menu-anchor">
      <button
        type="button"
        className={active ? 'filter-button active' : 'filter-button'}
        aria-label={`Filter ${column.label}`}
        title={active ? `Filtered to ${summary}` : `Filter ${column.label}`}
        onClick={(e) => setStyle(style ? null : fixedBelow(e.currentTarget, width))}
      >
        <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden><path d="M0 1h10L6 5.5V10L4 9V5.5z" fill="currentColor" /></svg>
      </button>
      {style && (
        <Popover onClose={() => setStyle(null)} className="filter-menu" style={style}>
          {filter.kind === 'range'
            ? <RangeForm label={column.label} unit={filter.unit} selected={selected} onChange={onChange} />
            : <Choices column={column} source={filter} project={project} selected={selected} onChange={onChange} />}
        </Popover>
      )}
    </span>
  );
}

interface ChoicesProps {
  column: Column;
  source: ListSource;
  project: string;
  selected: string[];
  onChange: (values: string[]) => void;
}

function Choices({ column, source, project, selected, onChange }: ChoicesProps) {
  const options = useLoad(() => filterOptions(source, project), [column.key, project]);
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

const BOUND_NAMES: Record<RangeUnit, [string, string]> = { number: ['Min', 'Max'], duration: ['Min', 'Max'], date: ['From', 'To'] };
const UNREADABLE: Record<RangeUnit, string> = { number: 'is not a number', duration: 'is not a run time (e.g. 90, 5m, 2h, 1h 30m)', date: 'is not a date' };
const INVERTED: Record<RangeUnit, string> = { number: 'Min is above Max.', duration: 'Min is above Max.', date: 'From is after To.' };

/** Two bounds, either of which may stay empty; Apply (or Enter) puts them in the filter. */
function RangeForm({ label, unit, selected, onChange }: { label: string; unit: RangeUnit; selected: string[]; onChange: (values: string[]) => void }) {
  const [texts, setTexts] = useState(() => boundsOf(unit, selected).map((b) => boundInput(unit, b)) as Bounds);
  const [error, setError] = useState('');
  const names = BOUND_NAMES[unit];
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const bounds = [boundFromInput(unit, texts[0], 'min'), boundFromInput(unit, texts[1], 'max')];
    const bad = bounds.findIndex((b) => b === null);
    if (bad >= 0) {
      setError(`${names[bad]} ${UNREADABLE[unit]}.`);
    } else if (inverted(unit, bounds as Bounds)) {
      setError(INVERTED[unit]);
    } else {
      setError('');
      onChange(bounds[0] || bounds[1] ? (bounds as Bounds) : []);
    }
  };
  const clear = () => {
    setTexts(['', '']);
    setError('');
    onChange([]);
  };
  return (
    <form role="group" aria-label={`${label} filter`} className="range-form" onSubmit={apply}>
      {names.map((name, i) => (
        <label key={name} className="range-bound">
          <span>{name}</span>
          <input
            type={unit === 'date' ? 'datetime-local' : 'text'}
            inputMode={unit === 'number' ? 'decimal' : undefined}
            placeholder={unit === 'duration' ? 'e.g. 90, 5m, 2h' : 'any'}
            value={texts[i]}
            onChange={(e) => setTexts((t) => (i === 0 ? [e.target.value, t[1]] : [t[0], e.target.value]))}
            autoFocus={i === 0}
          />
        </label>
      ))}
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="menu-foot range-foot">
        <button type="submit" className="primary">Apply</button>
        <button type="button" className="link-button" disabled={selected.length === 0} onClick={clear}>Clear filter</button>
      </div>
    </form>
  );
}
