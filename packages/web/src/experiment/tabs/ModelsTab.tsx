import { call } from '../../api/client';
import { Link } from '../../app/router';
import { formatDate } from '../../ui/format';
import { useLoad } from '../../ui/useLoad';
import { Section } from '../Fields';
import type { ModelRef, TaskDetail } from '../types';

interface Model {
  id: string;
  name: string;
  framework?: string;
  uri?: string;
  ready?: boolean;
  created?: string;
}

function ModelTable({ refs, models }: { refs: ModelRef[]; models: Map<string, Model> }) {
  return (
    <table className="simple-table">
      <thead><tr><th>Model</th><th>Used as</th><th>Framework</th><th>State</th><th>Created</th><th>Location</th></tr></thead>
      <tbody>
        {refs.map((r) => {
          const m = models.get(r.model);
          return (
            <tr key={`${r.name}/${r.model}`} data-model={r.model}>
              <td>{m ? <Link to={`/models/${r.model}`}>{m.name}</Link> : <span className="muted" title={r.model}>deleted model</span>}</td>
              <td>{r.name}</td>
              <td>{m?.framework}</td>
              <td>{m ? (m.ready ? 'Published' : 'Draft') : ''}</td>
              <td>{formatDate(m?.created)}</td>
              <td className="wrap"><code>{m?.uri}</code></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The models the experiment read and wrote, each linked to its own page. */
export function ModelsTab({ task, version }: { task: TaskDetail; version: number }) {
  const input = task.models?.input ?? [];
  const output = task.models?.output ?? [];
  const ids = [...new Set([...input, ...output].map((m) => m.model))];
  const loaded = useLoad(
    () => (ids.length === 0
      ? Promise.resolve(new Map<string, Model>())
      : call<{ models: Model[] }>('models.get_all', { id: ids, only_fields: ['id', 'name', 'framework', 'uri', 'ready', 'created'] })
        .then((r) => new Map(r.models.map((m) => [m.id, m])))),
    [ids.join(','), version],
  );
  if (loaded.error) return <p className="form-error" role="alert">Could not load the models: {loaded.error.message}</p>;
  if (!loaded.data) return <p className="muted">Loading…</p>;
  return (
    <div className="tab-body">
      <Section title="Input models">
        {input.length ? <ModelTable refs={input} models={loaded.data} /> : <p className="muted">None.</p>}
      </Section>
      <Section title="Output models">
        {output.length ? <ModelTable refs={output} models={loaded.data} /> : <p className="muted">None.</p>}
      </Section>
    </div>
  );
}
