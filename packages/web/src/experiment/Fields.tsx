import type { ReactNode } from 'react';

/** Labelled values in two columns; an empty value reads as a dash rather than vanishing. */
export function Fields({ rows }: { rows: readonly [label: string, value: ReactNode][] }) {
  return (
    <dl className="fields">
      {rows.map(([label, value]) => (
        <div key={label} className="field" data-field={label}>
          <dt>{label}</dt>
          <dd>{value === undefined || value === null || value === '' ? <span className="muted">—</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A titled block of a tab. */
export function Section({ title, children, extra }: { title: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <section className="exp-section" aria-label={title}>
      <div className="exp-section-head">
        <h2>{title}</h2>
        {extra}
      </div>
      {children}
    </section>
  );
}
