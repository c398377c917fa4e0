import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';

/**
 * A modal form: Enter submits, Escape or the backdrop cancels. `busy` disables the
 * submit button while the call runs, so a double click does not send it twice.
 */
export function Dialog(props: {
  title: string;
  submitLabel: string;
  onSubmit: () => void;
  onClose: () => void;
  busy?: boolean;
  danger?: boolean;
  children: ReactNode;
}) {
  const form = useRef<HTMLFormElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close.current();
    window.addEventListener('keydown', onKey);
    form.current?.querySelector<HTMLElement>('input, select, textarea, button[type=submit]')?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!props.busy) props.onSubmit();
  };
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <form ref={form} className="dialog" role="dialog" aria-label={props.title} onSubmit={submit}>
        <h2>{props.title}</h2>
        <div className="dialog-body">{props.children}</div>
        <div className="dialog-actions">
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className={props.danger ? 'danger' : 'primary'} disabled={props.busy}>{props.submitLabel}</button>
        </div>
      </form>
    </div>
  );
}
