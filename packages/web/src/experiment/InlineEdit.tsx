import { useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';

/**
 * A value shown as text with an edit button; editing swaps in an input (or a text area
 * for long text) with Save and Cancel. Escape cancels; Enter saves a one-line value.
 * `onSave` resolves when stored, or reports its failure and rejects; while it runs the
 * form is disabled.
 */
export function InlineEdit(props: {
  label: string;
  value: string;
  multiline?: boolean;
  display?: ReactNode;
  onSave: (value: string) => Promise<void>;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (draft === null) {
    return (
      <span className="inline-edit">
        {props.display ?? props.value}
        <button type="button" className="icon-button" aria-label={`Edit ${props.label}`} title={`Edit ${props.label}`} onClick={() => setDraft(props.value)}>✎</button>
      </span>
    );
  }
  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    if (busy) return;
    if (draft === props.value) {
      setDraft(null);
      return;
    }
    setBusy(true);
    try {
      await props.onSave(draft);
      setDraft(null);
    } catch {
      // onSave told the user why; the draft stays open to fix and retry.
    } finally {
      setBusy(false);
    }
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setDraft(null);
  };
  return (
    <form className={props.multiline ? 'inline-edit editing multiline' : 'inline-edit editing'} onSubmit={save}>
      {props.multiline
        ? <textarea aria-label={props.label} value={draft} rows={3} autoFocus disabled={busy} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} />
        : <input aria-label={props.label} value={draft} autoFocus disabled={busy} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} />}
      <button type="submit" className="primary" disabled={busy}>Save</button>
      <button type="button" disabled={busy} onClick={() => setDraft(null)}>Cancel</button>
    </form>
  );
}
