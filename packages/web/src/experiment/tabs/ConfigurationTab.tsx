import { useState } from 'react';
import { call } from '../../api/client';
import { notify, notifyError } from '../../ui/notify';
import { Section } from '../Fields';
import type { ConfigurationItem, ParamItem, TaskDetail } from '../types';

interface TabProps {
  task: TaskDetail;
  onChanged: () => void;
}

/** Edit and Save/Cancel buttons of a block that only a draft may change. */
function EditButtons({ label, editing, busy, onEdit, onSave, onCancel }: {
  label: string; editing: boolean; busy: boolean; onEdit: () => void; onSave: () => void; onCancel: () => void;
}) {
  if (!editing) return <button type="button" onClick={onEdit} aria-label={`Edit ${label}`}>Edit</button>;
  return (
    <span className="edit-buttons">
      <button type="button" className="primary" disabled={busy} onClick={onSave}>Save</button>
      <button type="button" disabled={busy} onClick={onCancel}>Cancel</button>
    </span>
  );
}

function ParamSection({ task, section, items, editable, onChanged }: TabProps & { section: string; items: ParamItem[]; editable: boolean }) {
  const [draft, setDraft] = useState<Record<string, string> | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    const changed = items.filter((p) => draft && draft[p.name] !== p.value).map((p) => ({ ...p, section, value: draft![p.name] }));
    if (changed.length === 0) {
      setDraft(null);
      return;
    }
    setBusy(true);
    try {
      await call('tasks.edit_hyper_params', { task: task.id, hyperparams: changed });
      notify(`Saved ${changed.length} parameter${changed.length === 1 ? '' : 's'} of ${section}`);
      setDraft(null);
      onChanged();
    } catch (err) {
      notifyError(`Could not save the parameters of ${section}`, err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={section} extra={editable && (
      <EditButtons label={section} editing={draft !== null} busy={busy} onSave={save} onCancel={() => setDraft(null)}
        onEdit={() => setDraft(Object.fromEntries(items.map((p) => [p.name, p.value])))} />
    )}>
      <table className="simple-table params-table">
        <thead><tr><th>Name</th><th>Value</th><th>Type</th><th>Description</th></tr></thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.name} data-param={`${section}/${p.name}`}>
              <td>{p.name}</td>
              <td className="param-value">
                {draft
                  ? <input aria-label={`${section}/${p.name}`} value={draft[p.name]} disabled={busy} onChange={(e) => setDraft({ ...draft, [p.name]: e.target.value })} />
                  : p.value}
              </td>
              <td className="muted">{p.type}</td>
              <td className="muted">{p.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function ConfigurationObject({ task, item, editable, onChanged }: TabProps & { item: ConfigurationItem; editable: boolean }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (draft === item.value) {
      setDraft(null);
      return;
    }
    setBusy(true);
    try {
      await call('tasks.edit_configuration', { task: task.id, configuration: [{ ...item, value: draft }] });
      notify(`Saved ${item.name}`);
      setDraft(null);
      onChanged();
    } catch (err) {
      notifyError(`Could not save ${item.name}`, err);
    } finally {
      setBusy(false);
    }
  };
  const title = item.type ? `${item.name} (${item.type})` : item.name;
  return (
    <Section title={title} extra={editable && (
      <EditButtons label={item.name} editing={draft !== null} busy={busy} onSave={save} onCancel={() => setDraft(null)} onEdit={() => setDraft(item.value)} />
    )}>
      {item.description && <p className="muted">{item.description}</p>}
      {draft === null
        ? <pre className="code-block" aria-label={`Configuration ${item.name}`}>{item.value}</pre>
        : <textarea className="code-edit" aria-label={`Configuration ${item.name}`} value={draft} disabled={busy} rows={Math.min(30, draft.split('\n').length + 2)} onChange={(e) => setDraft(e.target.value)} />}
    </Section>
  );
}

/** Hyperparameters by section and configuration objects; a draft's can be edited in place. */
export function ConfigurationTab({ task, onChanged }: TabProps) {
  const editable = task.status === 'created';
  const sections = Object.entries(task.hyperparams ?? {}).filter(([, items]) => Object.keys(items).length > 0);
  const configs = Object.values(task.configuration ?? {});
  return (
    <div className="tab-body">
      {!editable && <p className="muted">Only a draft can be edited. Clone this experiment or reset it to change its configuration.</p>}
      <h2 className="tab-heading">Hyperparameters</h2>
      {sections.length === 0 && <p className="muted">No hyperparameters.</p>}
      {sections.map(([section, items]) => (
        <ParamSection key={section} task={task} section={section} items={Object.values(items)} editable={editable} onChanged={onChanged} />
      ))}
      <h2 className="tab-heading">Configuration objects</h2>
      {configs.length === 0 && <p className="muted">No configuration objects.</p>}
      {configs.map((item) => <ConfigurationObject key={item.name} task={task} item={item} editable={editable} onChanged={onChanged} />)}
    </div>
  );
}
