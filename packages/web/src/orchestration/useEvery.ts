import { useEffect, useRef } from 'react';

/**
 * Calls `fn` every `ms` while the page is visible: queues and workers change without
 * anyone touching the page (agents pull tasks, report every few seconds).
 */
export function useEvery(ms: number, fn: () => void): void {
  const current = useRef(fn);
  current.current = fn;
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') current.current();
    }, ms);
    return () => clearInterval(t);
  }, [ms]);
}
