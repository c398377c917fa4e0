import { useSyncExternalStore } from 'react';

/**
 * Messages for the user, shown in the corner until dismissed (errors) or for a few
 * seconds (confirmations). Any module may call `notify`; the shell renders them.
 */
export interface Note {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

let notes: Note[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function dismiss(id: number): void {
  notes = notes.filter((n) => n.id !== id);
  emit();
}

export function notify(text: string, kind: Note['kind'] = 'info'): void {
  const id = nextId++;
  notes = [...notes.slice(-4), { id, kind, text }];
  emit();
  if (kind === 'info') setTimeout(() => dismiss(id), 4000);
}

/** Reports a failed action in words: what was being done, then the server's reason. */
export function notifyError(action: string, err: unknown): void {
  notify(`${action}: ${err instanceof Error ? err.message : String(err)}`, 'error');
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function Notes() {
  const list = useSyncExternalStore(subscribe, () => notes);
  return (
    <div className="notes" role="status">
      {list.map((n) => (
        <div key={n.id} className={`note note-${n.kind}`} role={n.kind === 'error' ? 'alert' : undefined}>
          <span>{n.text}</span>
          <button type="button" className="note-close" aria-label="Dismiss" onClick={() => dismiss(n.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
