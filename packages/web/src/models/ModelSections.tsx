import type { Model } from './types';

export function MetadataSection({ model }: { model: Model }) {
  const items = Object.values(model.metadata ?? {}).sort((a, b) => a.key.localeCompare(b.key));
  return (
    <section className="panel" aria-label="Metadata">
      <h2>Metadata</h2>
      {items.length === 0 ? <p className="muted">No metadata.</p> : (
        <table className="simple-table">
          <thead><tr><th>Key</th><th>Type</th><th>Value</th></tr></thead>
          <tbody>
            {items.map((it) => (
              <tr key={it.key} data-key={it.key}><td>{it.key}</td><td className="muted">{it.type ?? ''}</td><td className="wrap-text">{it.value}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function LabelsSection({ labels }: { labels: Record<string, number> }) {
  const entries = Object.entries(labels).sort(([, a], [, b]) => a - b);
  return (
    <section className="panel" aria-label="Labels">
      <h2>Labels</h2>
      {entries.length === 0 ? <p className="muted">No labels.</p> : (
        <table className="simple-table">
          <thead><tr><th>Label</th><th className="num">Id</th></tr></thead>
          <tbody>{entries.map(([name, n]) => <tr key={name}><td>{name}</td><td className="num">{n}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

/** The SDK stores the design text under `design`; anything else is shown as JSON. */
function designText(design: Record<string, unknown>): string {
  const keys = Object.keys(design);
  if (keys.length === 0) return '';
  if (keys.length === 1 && typeof design.design === 'string') return design.design;
  return JSON.stringify(design, null, 2);
}

export function DesignSection({ design }: { design: Record<string, unknown> }) {
  const text = designText(design);
  return (
    <section className="panel" aria-label="Design">
      <h2>Design</h2>
      {text ? <pre className="design-text">{text}</pre> : <p className="muted">No design.</p>}
    </section>
  );
}
