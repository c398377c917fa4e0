import { useState, type CSSProperties } from 'react';
import { call } from '../api/client';
import type { MetricVariant, ParamKey } from '../api/types';
import { fixedBelow, Popover } from '../ui/Popover';
import { useLoad } from '../ui/useLoad';
import { metricKey, paramKey } from './column-keys';

const WIDTH = 320;

interface Item {
  key: string;
  label: string;
  group: 'Hyperparameters' | 'Metrics (last value)';
}

async function choices(project: string): Promise<Item[]> {
  const [params, metrics] = await Promise.all([
    call<{ parameters: ParamKey[] }>('projects.get_hyper_parameters', { project: project || undefined, page_size: 2000 }),
    call<{ metrics: MetricVariant[] }>('projects.get_unique_metric_variants', { project: project || undefined }),
  ]);
  return [
    ...params.parameters.map((p): Item => ({ key: paramKey(p.section, p.name), label: `${p.section} / ${p.name}`, group: 'Hyperparameters' })),
    ...metrics.metrics.map((m): Item => ({ key: metricKey(m.metric, m.variant), label: `${m.metric} / ${m.variant}`, group: 'Metrics (last value)' })),
  ];
}

/** Adds any hyperparameter or metric of the project's experiments as a column. */
export function ColumnPicker({ project, added, onChange }: { project: string; added: string[]; onChange: (cols: string[]) => void }) {
  const [style, setStyle] = useState<CSSProperties | null>(null);
  return (
    <span className="menu-anchor">
      <button type="button" onClick={(e) => setStyle(style ? null : fixedBelow(e.currentTarget, WIDTH))}>+ Columns</button>
      {style && (
        <Popover onClose={() => setStyle(null)} className="filter-menu" style={style}>
          <PickerList project={project} added={added} onChange={onChange} />
        </Popover>
      )}
    </span>
  );
}

function PickerList({ project, added, onChange }: { project: string; added: string[]; onChange: (cols: string[]) => void }) {
  const items = useLoad(() => choices(project), [project]);
  const [needle, setNeedle] = useState('');
  const shown = (items.data ?? []).filter((i) => !needle || i.label.toLowerCase().includes(needle.toLowerCase()));
  const toggle = (key: string) => onChange(added.includes(key) ? added.filter((k) => k !== key) : [...added, key]);
  return (
    <div role="group" aria-label="Add columns">
      <input type="search" placeholder="Search hyperparameters and metrics" value={needle} onChange={(e) => setNeedle(e.target.value)} autoFocus />
      {items.error && <p className="form-error">Could not load the columns: {items.error.message}</p>}
      <div className="choices">
        {(['Hyperparameters', 'Metrics (last value)'] as const).map((group) => {
          const inGroup = shown.filter((i) => i.group === group);
          return inGroup.length === 0 ? null : (
            <div key={group}>
              <div className="choices-group">{group}</div>
              {inGroup.map((i) => (
                <label key={i.key} className="check">
                  <input type="checkbox" checked={added.includes(i.key)} onChange={() => toggle(i.key)} />
                  {i.label}
                </label>
              ))}
            </div>
          );
        })}
        {!items.loading && shown.length === 0 && <p className="muted">Nothing reported yet.</p>}
      </div>
    </div>
  );
}
