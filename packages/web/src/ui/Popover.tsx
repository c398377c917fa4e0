import { useEffect, useRef, type CSSProperties, type ReactNode } from 'react';

/**
 * A panel under its anchor that closes on a click outside it or on Escape. It is
 * rendered inside its anchor's wrapper, and a click on that wrapper (the button that
 * opened it) is left to the button, which toggles it.
 */
export function Popover({ onClose, children, className = '', style }: { onClose: () => void; children: ReactNode; className?: string; style?: CSSProperties }) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.parentElement?.contains(e.target as Node)) close.current();
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close.current();
    document.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, []);
  return <div ref={ref} className={`popover ${className}`} style={style}>{children}</div>;
}

/** Places a popover under a button even inside a scrolled table, which would clip it. */
export function fixedBelow(anchor: HTMLElement, width: number): CSSProperties {
  const r = anchor.getBoundingClientRect();
  return { position: 'fixed', top: r.bottom + 4, left: Math.max(8, Math.min(r.left, window.innerWidth - width - 8)), width };
}
