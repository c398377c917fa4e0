import { useCallback, useEffect, useRef, useState } from 'react';
import { call } from '../api/client';
import type { Task } from '../api/types';

/** Large pages: a page costs the server about the same at 200 rows as at 100. */
export const PAGE_SIZE = 200;

interface Pages {
  rows: Task[];
  complete: boolean;
  loading: boolean;
  error?: Error;
}

/**
 * The rows of a server-side sorted and filtered query, fetched a page at a time as the
 * table scrolls towards the end of what is loaded. A new query starts over, showing the
 * old rows until the new first page arrives (no blank flash); answers to an older query
 * are dropped.
 */
export function useTaskPages(query: Record<string, unknown>): Pages & { loadMore: () => void; reload: () => void } {
  const key = JSON.stringify(query);
  const [state, setState] = useState<Pages>({ rows: [], complete: false, loading: true });
  const generation = useRef(0);
  const busy = useRef(false);
  const current = useRef(state);
  current.current = state;

  const fetchPages = useCallback(async (first: number, count: number): Promise<Task[][]> => {
    const q = JSON.parse(key) as Record<string, unknown>;
    return Promise.all(Array.from({ length: count }, (_, i) =>
      call<{ tasks: Task[] }>('tasks.get_all_ex', { ...q, page: first + i, page_size: PAGE_SIZE }).then((r) => r.tasks)));
  }, [key]);

  /** Loads pages [first, first+count) and puts them after the first `first` pages already held. */
  const load = useCallback(async (first: number, count: number) => {
    const gen = generation.current;
    busy.current = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    try {
      const pages = await fetchPages(first, count);
      if (gen !== generation.current) return;
      const fresh = pages.flat();
      setState((s) => ({
        rows: [...s.rows.slice(0, first * PAGE_SIZE), ...fresh],
        complete: pages[pages.length - 1].length < PAGE_SIZE,
        loading: false,
      }));
    } catch (error) {
      if (gen === generation.current) setState((s) => ({ ...s, loading: false, error: error as Error }));
    } finally {
      if (gen === generation.current) busy.current = false;
    }
  }, [fetchPages]);

  useEffect(() => {
    generation.current++;
    busy.current = false;
    void load(0, 1);
  }, [key, load]);

  const loadMore = useCallback(() => {
    const s = current.current;
    if (busy.current || s.complete || s.error) return;
    void load(Math.floor(s.rows.length / PAGE_SIZE), 1);
  }, [key, load]);

  /** Fetches again as many pages as are shown, so the view stays where the user was. */
  const reload = useCallback(() => {
    generation.current++;
    busy.current = false;
    void load(0, Math.max(1, Math.ceil(current.current.rows.length / PAGE_SIZE)));
  }, [key, load]);

  return { ...state, loadMore, reload };
}
